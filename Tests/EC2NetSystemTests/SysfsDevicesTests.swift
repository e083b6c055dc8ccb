import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// SysfsDevices on a temporary sysfs (the layout of /sys/class/net/X:
/// `address`, `device/driver` a link to the driver's directory). Only
/// ENOENT is absent (issue 21): any other error makes the list unknown.
final class SysfsDevicesTests: XCTestCase {
    var host: FakeHost!

    override func setUpWithError() throws {
        host = try FakeHost(self)
        try addENA("eth0", "02:00:00:00:00:01")
        try addENA("eth1", "02:00:00:00:00:02")
    }

    func addENA(_ name: String, _ mac: String) throws {
        try host.addLink(name, mac: mac)
        try Directory.makePath(host.sysfs.root + "/bus/pci/drivers/ena")
        try FileManager.default.createSymbolicLink(atPath: host.sysfs.root + "/class/net/\(name)/device/driver",
                                                   withDestinationPath: host.sysfs.root + "/bus/pci/drivers/ena")
    }

    var devices: SysfsDevices { SysfsDevices(sysfs: host.sysfs, drivers: ["ena"]) }

    func testListsTheENIs() throws {
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth0", "eth1"])
        XCTAssertEqual(try devices.interfaces(with: try MACAddress(parsing: "02:00:00:00:00:02")), ["eth1"])
    }

    func testADeviceThatWentAwayIsSkipped() throws {
        unlink(host.sysfs.root + "/class/net/eth1/address")  // ENOENT: gone mid-scan
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth0"])
    }

    /// The bonding driver's `bonding_masters` is a file in class/net, not an
    /// interface (the kernel's Documentation/networking/bonding.rst, "Configuring
    /// Bonding Manually via Sysfs").
    func testAFileInClassNetIsNoInterface() throws {
        try writeText(host.sysfs.root + "/class/net/bonding_masters", "\n")
        XCTAssertEqual(try devices.enumerate().map(\.name), ["eth0", "eth1"])
        XCTAssertEqual(try devices.interfaces(with: try MACAddress(parsing: "02:00:00:00:00:02")), ["eth1"])
    }

    func testNoClassNetIsNoInterfaces() throws {
        try FileManager.default.removeItem(atPath: host.sysfs.root + "/class")
        XCTAssertEqual(try devices.enumerate(), [])
    }

    func testClassNetThatCannotBeOpenedThrows() throws {
        let net = host.sysfs.root + "/class/net"
        try FileManager.default.removeItem(atPath: net)
        try writeText(net, "")  // ENOTDIR, for root too
        XCTAssertThrowsError(try devices.enumerate()) { error in
            guard case .unreadable(.operation(_, let path, let e))? = error as? SysfsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, net)
            XCTAssertEqual(e, ENOTDIR)
        }
        XCTAssertThrowsError(try devices.interfaces(with: try MACAddress(parsing: "02:00:00:00:00:02")))
    }

    func testAnAddressThatCannotBeReadThrows() throws {
        let address = host.sysfs.root + "/class/net/eth0/address"
        unlink(address)
        try FileManager.default.createDirectory(atPath: address, withIntermediateDirectories: false)  // EISDIR
        XCTAssertThrowsError(try devices.enumerate())
        XCTAssertThrowsError(try devices.interfaces(with: try MACAddress(parsing: "02:00:00:00:00:02")))
    }
}
