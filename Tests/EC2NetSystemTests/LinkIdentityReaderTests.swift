import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// KernelLinkIdentityReader without a kernel (`--root`): what it takes from
/// the tree's sysfs and udev's database. The files are as a Debian 12
/// instance has them for a veth under systemd-udevd 252 (captured in the
/// simulated instance: uevent `INTERFACE=eth1`/`IFINDEX=3`, database lines
/// `E:ID_NET_DRIVER=veth`, `E:ID_NET_LINK_FILE=…`); the kernel's half (RTM_GETLINK,
/// ethtool) is proven against networkd in Tests/e2e/test_match_differential.py.
final class LinkIdentityReaderTests: XCTestCase {
    func testReadsSysfsAndUdevsDatabase() throws {
        let host = try FakeHost(self)
        try host.addLink("eth1", mac: "02:00:0a:00:01:14")
        try writeText(host.sysfs.path("eth1", "uevent"), "INTERFACE=eth1\nIFINDEX=3\n")
        try writeText(host.sysfs.path("eth1", "type"), "1\n")
        try Directory.makePath(host.paths.root + "/run/udev/data")
        try writeText(host.paths.root + "/run/udev/data/n3",
                      "I:933508250\nE:ID_NET_DRIVER=veth\nE:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\nV:1\n")
        let reader = KernelLinkIdentityReader(sysfs: host.sysfs, paths: host.paths, channel: nil)
        let link = try XCTUnwrap(reader.identity(of: "eth1"))
        XCTAssertEqual(link.mac, try MACAddress(parsing: "02:00:0a:00:01:14"))
        XCTAssertEqual(link.type, "ether")
        XCTAssertEqual(link.altNames, [])
        XCTAssertNil(link.permanentMAC)
        XCTAssertEqual(link.properties["ID_NET_DRIVER"], "veth")
        XCTAssertEqual(link.properties["INTERFACE"], "eth1")
        XCTAssertEqual(link.properties["SUBSYSTEM"], "net")
        XCTAssertNil(link.properties["I"])
    }

    func testDevtypeIsTheTypeAndAGoneLinkIsNil() throws {
        let host = try FakeHost(self)
        try host.addLink("br0", mac: "02:00:00:00:00:01")
        try writeText(host.sysfs.path("br0", "uevent"), "DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=4\n")
        try writeText(host.sysfs.path("br0", "type"), "1\n")
        let reader = KernelLinkIdentityReader(sysfs: host.sysfs, paths: host.paths, channel: nil)
        XCTAssertEqual(try reader.identity(of: "br0")?.type, "bridge")
        XCTAssertNil(try reader.identity(of: "eth9"))
    }

    /// The integration harness's sysfs has no uevent: the link is there all the same.
    func testALinkWithoutUeventIsStillALink() throws {
        let host = try FakeHost(self)
        try host.addLink("eth1", mac: "02:00:00:00:00:02")
        let reader = KernelLinkIdentityReader(sysfs: host.sysfs, paths: host.paths, channel: nil)
        XCTAssertEqual(try reader.identity(of: "eth1")?.mac, try MACAddress(parsing: "02:00:00:00:00:02"))
    }
}
