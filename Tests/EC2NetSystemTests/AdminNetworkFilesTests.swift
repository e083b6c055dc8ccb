import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// What networkd knows of a link, fixed by the test.
final class FixedLinkIdentities: LinkIdentityReading {
    var links: [String: LinkIdentity]
    init(_ links: [LinkIdentity]) { self.links = Dictionary(uniqueKeysWithValues: links.map { ($0.name, $0) }) }
    func identity(of interface: String) throws(FileError) -> LinkIdentity? { links[interface] }
}

/// AdminNetworkFiles reads /etc/systemd/network as networkd does (issue 20):
/// drop-ins from /etc, /run, /usr/local/lib, /usr/lib (a name higher up
/// hides the same name below, all applied in name order: systemd's
/// conf_files_list and config_parse_many), masks, and errors that are not
/// ENOENT.
final class AdminNetworkFilesTests: XCTestCase {
    let mac = try! MACAddress(parsing: "02:00:0a:00:01:14")
    var link: LinkIdentity { LinkIdentity(name: "eth1", mac: mac, driver: "ena", type: "ether") }

    func host() throws -> (Paths, AdminNetworkFiles) {
        let root = try makeTemporaryDirectory(self)
        let paths = Paths(root: root)
        try Directory.makePath(paths.adminNetworkd)
        return (paths, AdminNetworkFiles(paths: paths))
    }

    func write(_ path: String, _ text: String) throws {
        try Directory.makePath(String(path[..<path.lastIndex(of: "/")!]))
        try writeText(path, text)
    }

    func testNoDirectoryIsNoClaim() throws {
        let root = try makeTemporaryDirectory(self)
        XCTAssertNil(try AdminNetworkFiles(paths: Paths(root: root)).claimant(link))
    }

    func testTheFirstClaimingFileInNameOrder() throws {
        let (paths, admin) = try host()
        try write(paths.adminNetworkd + "/60-b.network", "[Match]\nName=eth1\n")
        try write(paths.adminNetworkd + "/50-a.network", "[Match]\nMACAddress=02-00-0a-00-01-14\n")
        try write(paths.adminNetworkd + "/40-class.network", "[Match]\nDriver=ena\n")
        try write(paths.adminNetworkd + "/30-not-network.conf", "[Match]\nName=eth1\n")
        XCTAssertEqual(try admin.claimant(link), paths.adminNetworkd + "/50-a.network")
    }

    func testDropInsMergeByNameWithTheHighestDirectoryWinning() throws {
        let (paths, admin) = try host()
        try write(paths.adminNetworkd + "/50-a.network", "[Match]\nDriver=ena\n")
        XCTAssertNil(try admin.claimant(link))
        let run = paths.root + "/run/systemd/network/50-a.network.d"
        let usr = paths.root + "/usr/lib/systemd/network/50-a.network.d"
        try write(usr + "/10-name.conf", "[Match]\nName=eth1\n")
        XCTAssertEqual(try admin.claimant(link), paths.adminNetworkd + "/50-a.network")
        // /run's 10-name.conf hides /usr/lib's; 20-reset.conf comes after it.
        try write(run + "/10-name.conf", "[Match]\nName=eth2\n")
        XCTAssertNil(try admin.claimant(link))
        try write(paths.adminNetworkd + "/50-a.network.d/20-reset.conf", "[Match]\nName=\nName=eth1\n")
        XCTAssertNotNil(try admin.claimant(link))
        XCTAssertEqual(try admin.dropIns(of: "50-a.network"), ["[Match]\nName=eth2\n", "[Match]\nName=\nName=eth1\n"])
    }

    func testAMaskClaimsNothingAndAMaskedDropInHidesItsName() throws {
        let (paths, admin) = try host()
        try FileManager.default.createSymbolicLink(atPath: paths.adminNetworkd + "/50-a.network", withDestinationPath: "/dev/null")
        try write(paths.adminNetworkd + "/51-empty.network", "")
        XCTAssertNil(try admin.claimant(link))
        try write(paths.adminNetworkd + "/60-b.network", "[Match]\nDriver=ena\n")
        try write(paths.root + "/usr/lib/systemd/network/60-b.network.d/10-name.conf", "[Match]\nName=eth1\n")
        XCTAssertNotNil(try admin.claimant(link))
        try Directory.makePath(paths.adminNetworkd + "/60-b.network.d")
        try FileManager.default.createSymbolicLink(atPath: paths.adminNetworkd + "/60-b.network.d/10-name.conf",
                                                   withDestinationPath: "/dev/null")
        XCTAssertNil(try admin.claimant(link))
    }

    func testUnreadableIsAnErrorNamingThePath() throws {
        let (paths, admin) = try host()
        try FileManager.default.createSymbolicLink(atPath: paths.adminNetworkd + "/50-loop.network", withDestinationPath: "50-loop.network")
        XCTAssertThrowsError(try admin.claimant(link)) { error in
            XCTAssertEqual(error as? FileError, .operation("open", path: paths.adminNetworkd + "/50-loop.network", errno: ELOOP))
        }
    }

    func testADanglingSymlinkIsAbsent() throws {
        let (paths, admin) = try host()
        try FileManager.default.createSymbolicLink(atPath: paths.adminNetworkd + "/50-gone.network", withDestinationPath: "/nonexistent")
        XCTAssertNil(try admin.claimant(link))
    }

    /// At commit ec2net checks the claim with the altnames it is about to
    /// add (`Name=device-number-1.0` names the ENI once ec2net names it so).
    func testCommitStepsAsideForAFileNamingTheAltNameEC2NetAdds() throws {
        let (paths, _) = try host()
        try Directory.makePath(paths.networkdRuntime)
        try write(paths.adminNetworkd + "/50-dev1.network", "[Match]\nName=device-number-1.0\n")
        let c = try InterfaceConfigurator(configuration: Configuration(), paths: paths, links: nil,
                                          identities: FixedLinkIdentities([link]), lockDeadline: nil, log: RecordingLog())
        XCTAssertNil(try c.decide(ManagementDecision.Subject(mac: mac, name: "eth1")), "no altname yet")
        let m = InterfaceMetadata(mac: mac, isPrimary: false, index: try DeviceIndex(card: 0, device: 1),
                                  ipv4Addresses: [try IPv4Address(parsing: "10.0.1.20")])
        guard case .adminOwned(let file, _) = try c.commit(interface: "eth1", metadata: m) else {
            return XCTFail("not stepped aside")
        }
        XCTAssertEqual(file, paths.adminNetworkd + "/50-dev1.network")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: paths.networkdRuntime), [])
    }
}
