import XCTest
@testable import EC2NetCore

/// NetworkMatch decides whether an administrator's .network file claims an
/// interface; the expectations follow systemd-networkd's [Match] semantics
/// (systemd.network(5), net_condition_test_strv()).
final class NetworkMatchTests: XCTestCase {
    let mac = try! MACAddress(parsing: "02:00:00:00:00:0a")
    let other = try! MACAddress(parsing: "02:00:00:00:00:0b")

    func testMACAddress() throws {
        let m = NetworkMatch(parsing: "[Match]\nMACAddress=02:00:00:00:00:0A\n\n[Network]\nDHCP=yes\n")
        XCTAssertEqual(m.macs.positive, [mac])
        XCTAssertTrue(m.selects(mac: mac, interface: "whatever"))
        XCTAssertFalse(m.selects(mac: other, interface: "whatever"))
    }

    func testSeveralMACsOnOneLineAndPermanentMACAddress() throws {
        let m = NetworkMatch(parsing: "[Match]\nMACAddress=02:00:00:00:00:01 02:00:00:00:00:0b\n")
        XCTAssertTrue(m.selects(mac: other, interface: "eth1"))
        XCTAssertFalse(m.selects(mac: mac, interface: "eth1"))
        let p = NetworkMatch(parsing: "[Match]\nPermanentMACAddress=02:00:00:00:00:0a\n")
        XCTAssertTrue(p.selects(mac: mac, interface: "eth1"))
    }

    func testNameGlobs() {
        let m = NetworkMatch(parsing: "[Match]\nName=eth* ens[5-7] en?9\n")
        XCTAssertEqual(m.names.positive, ["eth*", "ens[5-7]", "en?9"])
        for name in ["eth0", "eth12", "ens5", "ens7", "enx9"] {
            XCTAssertTrue(m.selects(mac: mac, interface: name), name)
        }
        for name in ["ens8", "enp0s9", "lo", "veth1"] {
            XCTAssertFalse(m.selects(mac: mac, interface: name), name)
        }
    }

    func testExactName() {
        let m = NetworkMatch(parsing: "[Match]\nName=ens6\n")
        XCTAssertTrue(m.selects(mac: mac, interface: "ens6"))
        XCTAssertFalse(m.selects(mac: mac, interface: "ens60"))
        XCTAssertFalse(m.selects(mac: mac, interface: "ens"))
    }

    func testNegatedName() {
        let m = NetworkMatch(parsing: "[Match]\nName=!eth0\n")
        XCTAssertFalse(m.selects(mac: mac, interface: "eth0"))
        XCTAssertTrue(m.selects(mac: mac, interface: "eth1"))
        XCTAssertTrue(m.selects(mac: mac, interface: "ens5"))
    }

    /// A leading `!` inverts the whole list: `Name=!eth0 eth1` matches
    /// neither eth0 nor eth1 (systemd's config_parse_match_strv prefixes
    /// every word with `!`).
    func testNegationAppliesToTheWholeList() {
        let m = NetworkMatch(parsing: "[Match]\nName=!eth0 eth1\n")
        XCTAssertFalse(m.selects(mac: mac, interface: "eth0"))
        XCTAssertFalse(m.selects(mac: mac, interface: "eth1"))
        XCTAssertTrue(m.selects(mac: mac, interface: "eth2"))
    }

    /// A negative pattern vetoes a positive one: `Name=eth*` plus
    /// `Name=!eth0` matches eth1 but not eth0.
    func testNegativePatternVetoesPositiveOne() {
        let m = NetworkMatch(parsing: "[Match]\nName=eth*\nName=!eth0\n")
        XCTAssertTrue(m.selects(mac: mac, interface: "eth1"))
        XCTAssertFalse(m.selects(mac: mac, interface: "eth0"))
        XCTAssertFalse(m.selects(mac: mac, interface: "ens5"))
    }

    /// "A network file is said to match a network interface if all matches
    /// specified by the [Match] section are satisfied" (systemd.network(5)):
    /// a file for this MAC under another name does not apply to eth1.
    func testAllConditionsMustHold() {
        let m = NetworkMatch(parsing: "[Match]\nMACAddress=02:00:00:00:00:0a\nName=eth9\n")
        XCTAssertTrue(m.selects(mac: mac, interface: "eth9"))
        XCTAssertFalse(m.selects(mac: mac, interface: "eth1"))
        XCTAssertFalse(m.selects(mac: other, interface: "eth9"))
    }

    func testOnlyTheMatchSectionCounts() {
        let m = NetworkMatch(parsing: "[Network]\nName=eth1\nMACAddress=02:00:00:00:00:0a\n[Match]\nDriver=ena\n[Link]\nName=eth1\n")
        XCTAssertFalse(m.macs.isSet)
        XCTAssertFalse(m.names.isSet)
        XCTAssertFalse(m.selects(mac: mac, interface: "eth1"))
    }

    func testIndentationCommentsAndSeveralMatchSections() {
        let m = NetworkMatch(parsing: "# Name=eth1\n  [Match]\n\tName=ens5\n[Network]\n[Match]\nMACAddress=02:00:00:00:00:0b\n")
        // Several [Match] sections add up to one set of conditions, all of which must hold.
        XCTAssertTrue(m.selects(mac: other, interface: "ens5"))
        XCTAssertFalse(m.selects(mac: other, interface: "eth7"))
        XCTAssertFalse(m.selects(mac: mac, interface: "ens5"))
    }

    func testBadMACIsIgnored() {
        let m = NetworkMatch(parsing: "[Match]\nMACAddress=zz:00:00:00:00:0a 02:00:00:00:00:0a\n")
        XCTAssertEqual(m.macs.positive, [mac])
    }

    /// networkd reads CRLF files (systemd's read_line accepts CR LF as an end of line).
    func testCRLFFile() {
        let m = NetworkMatch(parsing: "[Match]\r\nName=ens5\r\n[Network]\r\nDHCP=yes\r\n")
        XCTAssertTrue(m.selects(mac: mac, interface: "ens5"))
    }

    // MARK: claims: a file about this one interface (issue 16)

    func testAClaimNamesTheInterfaceByMACOrExactName() throws {
        XCTAssertTrue(NetworkMatch(parsing: "[Match]\nMACAddress=\(mac)\n").claims(mac: mac, interface: "ens6"))
        XCTAssertTrue(NetworkMatch(parsing: "[Match]\nPermanentMACAddress=\(mac)\n").claims(mac: mac, interface: "ens6"))
        XCTAssertTrue(NetworkMatch(parsing: "[Match]\nName=ens6\n").claims(mac: mac, interface: "ens6"))
        XCTAssertTrue(NetworkMatch(parsing: "[Match]\nName=eth0 ens6\nDriver=ena\n").claims(mac: mac, interface: "ens6"))
    }

    /// The measured field case: an admin's copy of 80-ec2.network (to match
    /// another driver) selects every ENI but claims none of them.
    func testACopyOfTheBaseFileClaimsNothing() throws {
        let base = "[Match]\nDriver=ena ixgbevf vif virtio_net\nName=!tmp*\n\n[Network]\nDHCP=yes\n"
        let m = NetworkMatch(parsing: base)
        XCTAssertTrue(m.selects(mac: mac, interface: "ens5"))
        XCTAssertFalse(m.claims(mac: mac, interface: "ens5"))
    }

    func testWildcardsAndNegationsClaimNothing() throws {
        for text in ["[Match]\nName=ens*\n", "[Match]\nName=e?s6\n", "[Match]\nName=ens[0-9]\n",
                     "[Match]\nName=!eth0\n", "[Match]\nMACAddress=!02:00:00:00:00:99\n",
                     "[Match]\nDriver=ena\n", "[Match]\nType=ether\n"] {
            XCTAssertFalse(NetworkMatch(parsing: text).claims(mac: mac, interface: "ens6"), text)
        }
    }

    func testASpecificFileThatDoesNotSelectClaimsNothing() throws {
        // Names the interface, but another condition excludes it.
        XCTAssertFalse(NetworkMatch(parsing: "[Match]\nName=ens6\nMACAddress=\(other)\n").claims(mac: mac, interface: "ens6"))
    }
}
