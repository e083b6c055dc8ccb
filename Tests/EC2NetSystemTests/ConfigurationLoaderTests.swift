import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ec2net.conf, its drop-ins and `--config FILE` are read through symlinks
/// (configuration managers, NixOS-style /etc: issue 20), and only ENOENT is
/// absent: every other error throws, naming the file and the errno, and is
/// never taken for the defaults.
final class ConfigurationLoaderTests: XCTestCase {
    var base: String!
    var paths: Paths!
    var etc: String { paths.root + "/etc/ec2net" }

    override func setUpWithError() throws {
        base = try makeTemporaryDirectory(self)
        paths = Paths(root: base + "/root")
        try Directory.makePath(paths.root + "/etc")
        try Directory.makePath(base + "/store")
    }

    func load(explicit: String? = nil) throws(FileError) -> Configuration {
        try ConfigurationLoader.load(paths: paths, explicit: explicit).configuration
    }

    func link(_ target: String, at path: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    func errno(of body: () throws(FileError) -> Configuration) -> Int32? {
        do { _ = try body(); return nil } catch {
            if case .operation(_, _, let e) = error { return e }
            return -1
        }
    }

    func testNothingThereIsTheDefaults() throws {
        XCTAssertEqual(try load(), Configuration())
    }

    func testASymlinkedFileIsRead() throws {
        try Directory.makePath(etc)
        try writeText(base + "/store/ec2net.conf", "[Interfaces]\nManage=none\n")
        try link(base + "/store/ec2net.conf", at: etc + "/ec2net.conf")
        XCTAssertEqual(try load().manage, .none)
    }

    func testASymlinkedEtcDirectoryAndDropInDirectoryAreRead() throws {
        try Directory.makePath(base + "/store/ec2net/real.d")
        try writeText(base + "/store/ec2net/ec2net.conf", "[Naming]\nMode=device-index\n")
        try writeText(base + "/store/drop.conf", "[Interfaces]\nExclude=02:00:00:00:00:0a\n")
        try link(base + "/store/drop.conf", at: base + "/store/ec2net/real.d/10-x.conf")
        try link("real.d", at: base + "/store/ec2net/ec2net.conf.d")
        try link(base + "/store/ec2net", at: etc)
        let c = try load()
        XCTAssertEqual(c.namingMode, .deviceIndex)
        XCTAssertEqual(c.exclude, [.mac(try MACAddress(parsing: "02:00:00:00:00:0a"))])
    }

    /// ENOENT: a dangling link is a file that is not there.
    func testADanglingDropInIsAbsent() throws {
        try Directory.makePath(etc + "/ec2net.conf.d")
        try link(base + "/store/gone.conf", at: etc + "/ec2net.conf.d/10-gone.conf")
        XCTAssertEqual(try load(), Configuration())
    }

    func testADirectoryInTheFilesPlaceIsAnError() throws {
        try Directory.makePath(etc + "/ec2net.conf")
        XCTAssertEqual(errno { () throws(FileError) in try load() }, EISDIR)
    }

    func testALinkLoopIsAnError() throws {
        try Directory.makePath(etc)
        try link(etc + "/ec2net.conf", at: etc + "/ec2net.conf")
        XCTAssertEqual(errno { () throws(FileError) in try load() }, ELOOP)
    }

    func testAnUnreadableDropInDirectoryIsAnError() throws {
        try Directory.makePath(etc)
        try writeText(etc + "/ec2net.conf.d", "not a directory\n")
        XCTAssertEqual(errno { () throws(FileError) in try load() }, ENOTDIR)
    }

    /// Mode 000 only refuses a process without CAP_DAC_OVERRIDE; as root
    /// the integration suite covers it (as nobody).
    func testMode000IsAnErrorWithoutDACOverride() throws {
        try XCTSkipIf(geteuid() == 0, "root reads a mode 000 file (CAP_DAC_OVERRIDE); Tests/integration/test_config_files.py runs it as nobody")
        try Directory.makePath(etc)
        try writeText(etc + "/ec2net.conf", "[Interfaces]\nManage=none\n")
        chmod(etc + "/ec2net.conf", 0)
        XCTAssertEqual(errno { () throws(FileError) in try load() }, EACCES)
    }

    func testTheVendorFileIsReadFirst() throws {
        try Directory.makePath(paths.root + "/usr/lib/ec2net")
        try Directory.makePath(etc)
        try writeText(paths.vendorConfig, "[Interfaces]\nManage=primary-only\n[Naming]\nMode=off\n")
        try writeText(paths.adminConfig, "[Naming]\nMode=device-index\n")
        let c = try load()
        XCTAssertEqual(c.manage, .primaryOnly)
        XCTAssertEqual(c.namingMode, .deviceIndex)
    }

    func testAnExplicitConfigIsReadThroughALinkAndMustExist() throws {
        try writeText(base + "/store/real.conf", "[Interfaces]\nManage=none\n")
        try link(base + "/store/real.conf", at: base + "/store/link.conf")
        XCTAssertEqual(try load(explicit: base + "/store/link.conf").manage, .none)
        XCTAssertEqual(errno { () throws(FileError) in try load(explicit: base + "/store/missing.conf") }, ENOENT)
        XCTAssertEqual(errno { () throws(FileError) in try load(explicit: base + "/store/gone/missing.conf") }, ENOENT)
    }

    func testTheMessageNamesTheFileAndTheErrno() throws {
        try Directory.makePath(etc + "/ec2net.conf")
        do { _ = try load(); XCTFail("no error") } catch {
            let message = PipelineError.configuration(error).description
            XCTAssertTrue(message.contains(paths.adminConfig), message)
            XCTAssertTrue(message.contains("EISDIR"), message)
        }
    }
}
