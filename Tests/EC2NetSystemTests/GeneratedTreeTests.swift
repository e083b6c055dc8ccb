import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// A fresh directory under $TMPDIR, removed after the test.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    var template = Array((NSTemporaryDirectory() + "/ec2net-tests.XXXXXX").utf8CString)
    guard let p = mkdtemp(&template) else { throw POSIXError(.init(rawValue: Glibc.errno) ?? .EIO) }
    let path = String(cString: p)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func fileStat(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func writeText(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

final class GeneratedTreeTests: XCTestCase {
    let macA = try! MACAddress(parsing: "02:00:00:00:00:0a")
    let macB = try! MACAddress(parsing: "02:00:00:00:00:0b")

    func files(_ mac: MACAddress, interface: String, device: Int, ipv4: String = "10.0.0.20") -> [GeneratedFile] {
        let m = InterfaceMetadata(mac: mac, isPrimary: false, index: try! DeviceIndex(card: 0, device: device),
                                  ipv4Addresses: [try! IPv4Address(parsing: ipv4)])
        return NetworkdRenderer.render(m, interface: interface, configuration: Configuration())
    }

    func testApplyWritesAndCreatesTheDirectory() throws {
        let root = try makeTemporaryDirectory(self)
        let dir = root + "/run/systemd/network"
        let tree = try GeneratedTree(path: dir)
        let wanted = files(macA, interface: "eth1", device: 1)
        let change = try tree.apply(wanted, mac: macA)
        XCTAssertEqual(change.written, ["05-ec2net-eth1.network"])
        XCTAssertEqual(change.removed, [])
        XCTAssertEqual(readText(dir + "/05-ec2net-eth1.network"), wanted[0].contents)
        XCTAssertEqual(fileStat(dir + "/05-ec2net-eth1.network").map { $0.st_mode & 0o7777 }, 0o644)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["05-ec2net-eth1.network"], "no temporary left")
        XCTAssertEqual(try tree.owned(), [GeneratedTree.OwnedFile(name: "05-ec2net-eth1.network", mac: macA)])
        XCTAssertEqual(try tree.owner(ofInterface: "eth1"), macA)
        XCTAssertNil(try tree.owner(ofInterface: "eth2"))
    }

    func testSecondApplyWritesNothing() throws {
        let dir = try makeTemporaryDirectory(self)
        let tree = try GeneratedTree(path: dir)
        let wanted = files(macA, interface: "eth1", device: 1)
        _ = try tree.apply(wanted, mac: macA)
        let path = dir + "/05-ec2net-eth1.network"
        let before = try XCTUnwrap(fileStat(path))
        // A coarse file-system timestamp would hide a rewrite; wait past it.
        Thread.sleep(forTimeInterval: 0.02)
        let change = try GeneratedTree(path: dir).apply(wanted, mac: macA)
        XCTAssertTrue(change.isEmpty, "\(change)")
        let after = try XCTUnwrap(fileStat(path))
        XCTAssertEqual(after.st_ino, before.st_ino)
        XCTAssertEqual(after.st_mtim.tv_sec, before.st_mtim.tv_sec)
        XCTAssertEqual(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec)
    }

    func testChangedContentIsReplacedAtomically() throws {
        let dir = try makeTemporaryDirectory(self)
        let tree = try GeneratedTree(path: dir)
        _ = try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)
        let path = dir + "/05-ec2net-eth1.network"
        let before = try XCTUnwrap(fileStat(path))
        let newer = files(macA, interface: "eth1", device: 1, ipv4: "10.0.0.99")
        XCTAssertEqual(try tree.apply(newer, mac: macA).written, ["05-ec2net-eth1.network"])
        XCTAssertEqual(readText(path), newer[0].contents)
        XCTAssertNotEqual(try XCTUnwrap(fileStat(path)).st_ino, before.st_ino, "written by rename, not in place")
    }

    func testForeignFileAtTheTargetNameIsLeftAlone() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/05-ec2net-eth1.network"
        let admin = "[Match]\nName=eth1\n\n[Network]\nAddress=192.0.2.1/24\n"
        try writeText(path, admin)
        let tree = try GeneratedTree(path: dir)
        XCTAssertThrowsError(try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)) {
            XCTAssertEqual($0 as? FileError, .foreign(path: path))
        }
        XCTAssertEqual(readText(path), admin)
        XCTAssertEqual(try tree.owned(), [])
    }

    func testSymlinkAtTheTargetNameIsNotFollowed() throws {
        let dir = try makeTemporaryDirectory(self)
        let tree = try GeneratedTree(path: dir + "/network")
        // The symlink points at a file that even looks like ours.
        let outside = dir + "/outside.network"
        let bait = files(macA, interface: "eth1", device: 1, ipv4: "10.9.9.9")[0].contents
        try writeText(outside, bait)
        let link = dir + "/network/05-ec2net-eth1.network"
        XCTAssertEqual(symlink(outside, link), 0)

        XCTAssertThrowsError(try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)) {
            XCTAssertEqual($0 as? FileError, .foreign(path: link))
        }
        XCTAssertEqual(readText(outside), bait)
        XCTAssertEqual(fileStat(link).map { $0.st_mode & S_IFMT }, S_IFLNK)
        XCTAssertEqual(try tree.owned(), [], "a symlink is never taken for an owned file")
        XCTAssertEqual(try tree.remove(mac: macA).removed, [])
        XCTAssertEqual(fileStat(link).map { $0.st_mode & S_IFMT }, S_IFLNK)
        XCTAssertEqual(readText(outside), bait)
    }

    func testRemoveTakesOnlyOwnedFilesOfThatMAC() throws {
        let dir = try makeTemporaryDirectory(self)
        let tree = try GeneratedTree(path: dir)
        _ = try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)
        _ = try tree.apply(files(macB, interface: "eth2", device: 2), mac: macB)
        let handWritten = "# written by hand for 02:00:00:00:00:0a\n[Match]\nMACAddress=02:00:00:00:00:0a\n"
        try writeText(dir + "/05-ec2net-eth3.network", handWritten)
        try writeText(dir + "/10-admin.network", "[Match]\nMACAddress=02:00:00:00:00:0a\n")

        let change = try tree.remove(mac: macA)
        XCTAssertEqual(change.removed, ["05-ec2net-eth1.network"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["05-ec2net-eth2.network", "05-ec2net-eth3.network", "10-admin.network"])
        XCTAssertEqual(readText(dir + "/05-ec2net-eth3.network"), handWritten)
        XCTAssertTrue(try tree.remove(mac: macA).isEmpty, "removing twice is a no-op")
    }

    func testApplyUnderANewNameRemovesTheOldName() throws {
        let dir = try makeTemporaryDirectory(self)
        let tree = try GeneratedTree(path: dir)
        _ = try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)
        _ = try tree.apply(files(macB, interface: "eth2", device: 2), mac: macB)
        // The interface was renamed: same MAC, new file name.
        let change = try tree.apply(files(macA, interface: "ens6", device: 1), mac: macA)
        XCTAssertEqual(change.written, ["05-ec2net-ens6.network"])
        XCTAssertEqual(change.removed, ["05-ec2net-eth1.network"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["05-ec2net-ens6.network", "05-ec2net-eth2.network"])
    }

    func testStaleTemporaryOfADeadWriterIsRemoved() throws {
        let dir = try makeTemporaryDirectory(self)
        let dead = dir + "/.05-ec2net-x.network.tmp.\(Int32.max)"
        let alive = dir + "/.05-ec2net-y.network.tmp.1"
        let ours = dir + "/.05-ec2net-z.network.tmp.\(getpid())"
        let unrelated = dir + "/.other.tmp.\(Int32.max)"
        for p in [dead, alive, ours, unrelated] { try writeText(p, "partial") }
        let tree = try GeneratedTree(path: dir)
        _ = try tree.apply(files(macA, interface: "eth1", device: 1), mac: macA)
        XCTAssertNil(fileStat(dead), "the dead writer's temporary is removed")
        XCTAssertNotNil(fileStat(alive), "pid 1 is alive: its temporary stays")
        XCTAssertNotNil(fileStat(ours))
        XCTAssertNotNil(fileStat(unrelated))
    }

    /// Issue 21: another process (a hot-plug during the timer's scan)
    /// rewrites a name for another MAC after this tree first looked; the
    /// removal acts on the headers as they are now, not as first read.
    func testRemovalReadsTheHeadersAgain() throws {
        let dir = try makeTemporaryDirectory(self)
        let scan = try GeneratedTree(path: dir)
        _ = try scan.apply(files(macA, interface: "eth1", device: 1), mac: macA)
        XCTAssertEqual(try scan.owned().map(\.mac), [macA])
        let plug = try GeneratedTree(path: dir)
        _ = try plug.apply(files(macB, interface: "eth1", device: 2), mac: macB)
        XCTAssertEqual(try scan.remove(mac: macA).removed, [], "eth1's file is macB's now")
        XCTAssertEqual(try GeneratedTree(path: dir).owner(ofInterface: "eth1"), macB)
        // And apply records what is on disk: same bytes written by another process are no change.
        let again = try GeneratedTree(path: dir)
        XCTAssertTrue(try again.apply(files(macB, interface: "eth1", device: 2), mac: macB).isEmpty)
    }

    /// The reload marker exists before the first rename and the first unlink.
    func testEveryChangeMarksTheReloadPendingFirst() throws {
        let root = try makeTemporaryDirectory(self)
        let pending = PendingReload(runDirectory: root)
        let tree = try GeneratedTree(path: root + "/network", pending: pending)
        let wanted = files(macA, interface: "eth1", device: 1)
        _ = try tree.apply(wanted, mac: macA)
        XCTAssertNotNil(fileStat(pending.path))
        unlink(pending.path)
        XCTAssertTrue(try tree.apply(wanted, mac: macA).isEmpty)
        XCTAssertNil(fileStat(pending.path), "nothing changed, nothing pending")
        XCTAssertEqual(try tree.remove(mac: macA).removed, ["05-ec2net-eth1.network"])
        XCTAssertNotNil(fileStat(pending.path))
    }

    /// A directory (or a symlink) at one of ec2net's names is not ec2net's
    /// file: never owned, so never removed (an unreadable header of a
    /// regular file throws instead: only ENOENT is absent).
    func testANonFileAtOurNameIsNotOurs() throws {
        let dir = try makeTemporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/05-ec2net-eth1.network", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/05-ec2net-eth2.network", withDestinationPath: "/dev/null")
        XCTAssertEqual(try GeneratedTree(path: dir).owned(), [])
        XCTAssertNil(try GeneratedTree(path: dir).owner(ofInterface: "eth1"))
        XCTAssertNil(try GeneratedTree(path: dir).owner(ofInterface: "eth2"))
    }
}
