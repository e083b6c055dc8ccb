import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// Issue 21, "only ENOENT is absent", for the reads that used to turn any
/// error into "empty": absence is still nothing, every other error is said
/// (thrown, or logged where the read only decides whether to tidy up). The
/// errors are injected in a temporary root in ways that hold for root too
/// (mode 000 does not): a file where a directory should be (ENOTDIR), a
/// directory where a file should be (not a regular file), a non-empty
/// directory at a temporary file's name (unlink fails: EISDIR). The naming
/// map's format is DeviceMapStore's own; the parked `tmp…` name is
/// NamingPolicy's collision strategy.
final class OnlyENOENTIsAbsentTests: XCTestCase {
    let mac = try! MACAddress(parsing: "02:00:00:00:00:02")

    private func isErrno(_ error: FileError, _ value: Int32) -> Bool {
        if case .operation(_, _, let e) = error { return e == value }
        return false
    }

    // MARK: DeviceMapStore

    func testTheNamingMapIsEmptyOnlyWhenAbsent() throws {
        let host = try FakeHost(self)
        XCTAssertEqual(try DeviceMapStore(paths: host.paths).load(), DeviceMap(), "no directory yet")
        try Directory.makePath(host.paths.state)
        XCTAssertEqual(try DeviceMapStore(paths: host.paths).load(), DeviceMap(), "no file yet")

        try Directory.makePath(host.paths.deviceMap)  // a directory at the map's name
        XCTAssertThrowsError(try DeviceMapStore(paths: host.paths).load())

        try FileManager.default.removeItem(atPath: host.paths.state)
        try writeText(host.paths.state, "")  // a file where the directory should be
        do {
            _ = try DeviceMapStore(paths: host.paths).load()
            XCTFail("an unreadable map read as empty")
        } catch {
            XCTAssertTrue(isErrno(error, ENOTDIR), "\(error)")
        }
    }

    // MARK: RenameHandover

    /// A parked interface whose target name is free, as NamingPolicy parks one.
    private func parked(_ host: FakeHost) throws -> String {
        let name = NamingPolicy.temporaryName(for: mac)
        try host.addLink(name, mac: mac.description)
        try writeText(host.sysfs.path(name, "uevent"), "")
        try Directory.makePath(host.paths.state)
        try writeText(host.paths.deviceMap, "\(mac) device=1 card=0\n")
        return name
    }

    private func triggered(_ host: FakeHost, _ name: String) throws -> Bool {
        try String(contentsOfFile: host.sysfs.path(name, "uevent"), encoding: .utf8) == "add"
    }

    func testRetriggerStillTriggersWhenAllIsReadable() throws {
        let host = try FakeHost(self)
        let name = try parked(host)
        let log = RecordingLog()
        RenameHandover(paths: host.paths, sysfs: host.sysfs, log: log).retrigger()
        XCTAssertTrue(try triggered(host, name))
        XCTAssertEqual(log.problems, [])
    }

    func testRetriggerSaysWhenTheNamingMapCannotBeRead() throws {
        let host = try FakeHost(self)
        let name = try parked(host)
        try FileManager.default.removeItem(atPath: host.paths.deviceMap)
        try Directory.makePath(host.paths.deviceMap)
        let log = RecordingLog()
        RenameHandover(paths: host.paths, sysfs: host.sysfs, log: log).retrigger()
        XCTAssertFalse(try triggered(host, name))
        XCTAssertEqual(log.problems.count, 1, "\(log.problems)")
        XCTAssertTrue(log.problems[0].contains(host.paths.deviceMap), log.problems[0])
    }

    func testRetriggerSaysWhenSysfsCannotBeListedAndIsQuietWhenAbsent() throws {
        let host = try FakeHost(self)
        let log = RecordingLog()
        RenameHandover(paths: host.paths, sysfs: host.sysfs, log: log).retrigger()
        XCTAssertEqual(log.problems, [], "no /sys/class/net: nothing parked, nothing to say")

        try Directory.makePath(host.sysfs.root + "/class")
        try writeText(host.sysfs.root + "/class/net", "")
        RenameHandover(paths: host.paths, sysfs: host.sysfs, log: log).retrigger()
        XCTAssertEqual(log.problems.count, 1, "\(log.problems)")
        XCTAssertTrue(log.problems[0].contains("/class/net"), log.problems[0])
    }

    func testRetriggerSaysWhenAParkedInterfacesAddressCannotBeRead() throws {
        let host = try FakeHost(self)
        let name = try parked(host)
        try FileManager.default.removeItem(atPath: host.sysfs.path(name, "address"))
        try Directory.makePath(host.sysfs.path(name, "address"))
        let log = RecordingLog()
        RenameHandover(paths: host.paths, sysfs: host.sysfs, log: log).retrigger()
        XCTAssertFalse(try triggered(host, name))
        XCTAssertTrue(log.problems.contains { $0.contains(name) }, "\(log.problems)")
    }

    // MARK: StatusInspection

    private func inspection(_ host: FakeHost, devices: DeviceEnumerator) -> StatusInspection {
        StatusInspection(configuration: Configuration(), paths: host.paths, devices: devices, metadata: nil,
                         kernel: StatusInspectionTests.FixedKernel(), otherManagers: nil)
    }

    func testStatusHasNoVerdictWhenSysfsCannotBeRead() throws {
        let host = try FakeHost(self)
        XCTAssertThrowsError(try inspection(host, devices: FailingDevices()).gather()) { error in
            guard case .sysfs(.unreadable)? = error as? StatusInspectionError else { return XCTFail("\(error)") }
        }
    }

    func testStatusHasNoVerdictWhenItsOwnFilesCannotBeRead() throws {
        let devices = FixedDevices(devices: [NetworkDevice(name: "eth1", mac: mac, driver: "ena")])
        // Absent: an empty list, a verdict all the same.
        let fresh = try FakeHost(self)
        try FileManager.default.removeItem(atPath: fresh.paths.networkdRuntime)
        XCTAssertEqual(try inspection(fresh, devices: devices).gather().evidence.interfaces.map(\.name), ["eth1"])

        // The generated files' directory is a file.
        let notADirectory = try FakeHost(self)
        try FileManager.default.removeItem(atPath: notADirectory.paths.networkdRuntime)
        try writeText(notADirectory.paths.networkdRuntime, "")
        XCTAssertThrowsError(try inspection(notADirectory, devices: devices).gather()) { error in
            guard case .files(let e)? = error as? StatusInspectionError else { return XCTFail("\(error)") }
            XCTAssertTrue(self.isErrno(e, ENOTDIR), "\(e)")
        }

        // The naming map is a directory.
        let badMap = try FakeHost(self)
        try Directory.makePath(badMap.paths.deviceMap)
        XCTAssertThrowsError(try inspection(badMap, devices: devices).gather()) { error in
            guard case .files? = error as? StatusInspectionError else { return XCTFail("\(error)") }
        }
    }

    // MARK: GeneratedTree's sweep of killed writers' temporaries

    func testTheTemporarySweepLogsWhatItCannotRemoveAndTheWriteGoesOn() throws {
        let host = try FakeHost(self)
        // PID 2^31 - 2 is above any pid_max (2^22): a writer that is gone.
        let stale = ".05-ec2net-eth9.network.tmp.2147483646"
        try Directory.makePath(host.paths.networkdRuntime + "/" + stale + "/inside")
        let log = RecordingLog()
        let tree = try GeneratedTree(path: host.paths.networkdRuntime, log: log)
        let file = GeneratedFile(name: "05-ec2net-eth1.network", contents: Ownership.headerComment(mac: mac) + "\n[Match]\nName=eth1\n")
        XCTAssertEqual(try tree.apply([file], mac: mac).written, [file.name])
        XCTAssertEqual(log.problems.count, 1, "\(log.problems)")
        XCTAssertTrue(log.problems[0].contains(stale), log.problems[0])
    }

    // MARK: KernelLinkIdentityReader

    /// The host's rtnetlink socket did not open: every identity read throws,
    /// so ec2-plug refuses instead of judging an admin's `[Match]` without
    /// the altnames, kind and permanent address it may name.
    func testNoKernelOnTheHostIsAnErrorNotNoEvidence() throws {
        let host = try FakeHost(self)
        try host.addLink("eth1", mac: mac.description)
        let reader = KernelLinkIdentityReader(sysfs: host.sysfs, paths: host.paths, channel: nil,
                                              channelError: .operation("socket", path: "rtnetlink", errno: EMFILE))
        XCTAssertThrowsError(try reader.identity(of: "eth1")) { error in
            XCTAssertEqual(error as? FileError, .operation("socket", path: "rtnetlink", errno: EMFILE))
        }
        // The identity is read for an admin file that matches (AdminNetworkFiles
        // reads it lazily: with no such file nothing can claim the link).
        try Directory.makePath(host.paths.root + "/etc/systemd/network")
        try writeText(host.paths.root + "/etc/systemd/network/10-admin.network", "[Match]\nOriginalName=eth1\n\n[Network]\nDHCP=yes\n")
        XCTAssertThrowsError(try InterfaceConfigurator.decide(ManagementDecision.Subject(mac: mac, name: "eth1"),
                                                              configuration: Configuration(), paths: host.paths,
                                                              identities: reader))
    }
}
