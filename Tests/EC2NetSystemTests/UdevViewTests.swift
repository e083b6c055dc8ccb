import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// SysfsDevices through udev's database (issue 21): a temporary sysfs and a
/// root whose /run/udev/data holds records like the ones systemd-udevd 252
/// wrote in the e2e simulated instance (Tests/e2e/test_udev_initialized.py), with
/// `ena` for ID_NET_DRIVER as on an instance.
final class UdevViewTests: XCTestCase {
    var host: FakeHost!
    var log: RecordingLog!

    override func setUpWithError() throws {
        host = try FakeHost(self)
        log = RecordingLog()
        for (i, name) in ["eth0", "eth1"].enumerated() {
            try host.addLink(name, mac: "02:00:00:00:00:0\(i + 1)")
            try writeText(host.sysfs.root + "/class/net/\(name)/ifindex", "\(i + 2)\n")
            try Directory.makePath(host.sysfs.root + "/bus/pci/drivers/ena")
            try FileManager.default.createSymbolicLink(atPath: host.sysfs.root + "/class/net/\(name)/device/driver",
                                                       withDestinationPath: host.sysfs.root + "/bus/pci/drivers/ena")
        }
    }

    var devices: SysfsDevices {
        SysfsDevices(sysfs: host.sysfs, drivers: ["ena"], udev: UdevDatabase(paths: host.paths), log: log)
    }

    func record(_ ifindex: Int, _ text: String) throws {
        try Directory.makePath(host.paths.root + "/run/udev/data")
        try writeText(host.paths.root + "/run/udev/data/n\(ifindex)", text)
    }

    func testWithoutRunUdevSysfsIsTheView() throws {
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth0", "eth1"])
        XCTAssertTrue(log.lines.isEmpty)
    }

    func testAnInterfaceWithoutARecordIsSkippedAndSaidSo() throws {
        try record(2, "I:13677521822\nE:ID_NET_DRIVER=ena\nE:EC2_IFNAME=eth0\nE:EC2_DEVICE_NUMBER=0\nV:1\n")
        let found = try devices.enumerate()
        XCTAssertEqual(found.map(\.name), ["eth0"])
        XCTAssertEqual(found.first?.ec2Properties, ["EC2_IFNAME": "eth0", "EC2_DEVICE_NUMBER": "0"])
        XCTAssertTrue(log.contains("eth1: udev has not initialized it yet (no \(host.paths.root)/run/udev/data/n3)"),
                      "\(log.lines)")
    }

    func testTheRecordsDriverIsUdevsAndSysfsIsTheFallbackWithinARecord() throws {
        try record(2, "I:1\nE:ID_NET_DRIVER=veth\nV:1\n")   // udev says veth: not an ENI here
        try record(3, "I:1\nV:1\n")                          // no ID_NET_DRIVER: the kernel's (sysfs) driver
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth1"])
    }

    func testAnUnreadableRecordThrows() throws {
        try record(2, "I:1\nE:ID_NET_DRIVER=ena\n")
        try Directory.makePath(host.paths.root + "/run/udev/data/n3")  // EISDIR on read, for root too
        XCTAssertThrowsError(try devices.enumerate()) { error in
            guard case .unreadable(.operation(_, let path, let e))? = error as? SysfsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, host.paths.root + "/run/udev/data/n3")
            XCTAssertEqual(e, EISDIR)
        }
    }

    func testAnInterfaceThatWentAwayIsNoInterface() throws {
        try record(2, "I:1\nE:ID_NET_DRIVER=ena\n")
        unlink(host.sysfs.root + "/class/net/eth1/ifindex")  // ENOENT: gone mid-scan
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth0"])
        XCTAssertTrue(log.lines.isEmpty)
    }

    /// KernelLinkIdentityReader takes its udev properties from the same record.
    func testTheIdentityReaderReadsTheSameRecord() throws {
        try writeText(host.sysfs.root + "/class/net/eth0/uevent", "INTERFACE=eth0\nIFINDEX=2\n")
        try record(2, "I:1\nE:ID_NET_DRIVER=ena\nE:EC2_IFNAME=eth0\n")
        let reader = KernelLinkIdentityReader(sysfs: host.sysfs, paths: host.paths, channel: nil)
        let identity = try XCTUnwrap(try reader.identity(of: "eth0"))
        XCTAssertEqual(identity.properties["EC2_IFNAME"], "eth0")
        XCTAssertEqual(identity.properties["ID_NET_DRIVER"], "ena")
    }
}
