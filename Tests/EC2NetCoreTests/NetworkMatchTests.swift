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
        XCTAssertEqual(m.hardwareAddresses, [mac.bytes])
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
        XCTAssertEqual(m.names, ["eth*", "ens[5-7]", "en?9"])
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
        XCTAssertTrue(m.hardwareAddresses.isEmpty)
        XCTAssertTrue(m.names.isEmpty)
        XCTAssertTrue(m.selects(mac: mac, interface: "eth1"))  // by Driver=ena alone
        XCTAssertFalse(m.claims(mac: mac, interface: "eth1"))
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
        XCTAssertEqual(m.hardwareAddresses, [mac.bytes])
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

    // MARK: networkd 252's semantics, key by key (issue 20; facts from
    // src/shared/net-condition.c and src/basic/ether-addr-util.c, each
    // also a case of Tests/e2e/match_corpus, run against networkd itself)

    let eni = LinkIdentity(name: "eth1", altNames: ["eni-0000000000000a010", "device-number-1.0"],
                           mac: try! MACAddress(parsing: "02:00:0a:00:01:14"), permanentMAC: nil,
                           driver: "ena", type: "ether", kind: nil,
                           properties: ["ID_NET_DRIVER": "ena", "INTERFACE": "eth1", "SUBSYSTEM": "net"])

    func match(_ lines: String) -> NetworkMatch { NetworkMatch(parsing: "[Match]\n\(lines)\n[Network]\nDHCP=yes\n") }

    /// systemd.network(5): "colon-, hyphen- or dot-delimited hexadecimal";
    /// parse_hw_addr_full(): any case, 1-digit fields (issue 20's table).
    func testEveryMACFormSelectsAndClaims() {
        for form in ["02:00:0a:00:01:14", "02:00:0A:00:01:14", "02-00-0a-00-01-14", "02-00-0A-00-01-14",
                     "0200.0a00.0114", "0200.0A00.0114", "2:0:a:0:1:14", "2-0-a-0-1-14"] {
            XCTAssertTrue(match("MACAddress=\(form)").claims(eni), form)
            XCTAssertTrue(match("MACAddress=02:00:00:00:00:99 \(form)").claims(eni), form)
        }
    }

    func testInvalidMACWordsAreSkippedAndOnlyInvalidWordsLeaveNoSetting() {
        for bad in ["zz:00:0a:00:01:14", "02:00:0a:00:01", "02:00:0a:00:01:14:", "02:00-0a:00:01:14",
                    "02:00:0a:00:01:140", "0200.0a00.0114.", "!02:00:0a:00:01:14"] {
            let m = match("MACAddress=\(bad)")
            XCTAssertTrue(m.hardwareAddresses.isEmpty, bad)
            XCTAssertFalse(m.selects(eni), bad)  // no valid setting: networkd ignores the file
            XCTAssertTrue(match("MACAddress=\(bad) 02-00-0a-00-01-14").claims(eni), bad)
        }
    }

    /// An IPv4 or IPv6 text is a 4- or 16-byte hardware address (tunnels):
    /// the condition is set and no Ethernet address equals it.
    func testIPAddressTextIsASetConditionThatNeverMatches() {
        XCTAssertEqual(match("MACAddress=10.0.0.1").hardwareAddresses, [[10, 0, 0, 1]])
        XCTAssertFalse(match("MACAddress=10.0.0.1\nName=eth1").selects(eni))
        XCTAssertEqual(match("MACAddress=fe80::1").hardwareAddresses.first?.count, 16)
    }

    /// A link without a permanent address (veth; ENA reports its MAC)
    /// matches no PermanentMACAddress=.
    func testPermanentMACAddress() {
        XCTAssertFalse(match("PermanentMACAddress=02:00:0a:00:01:14").selects(eni))
        var ena = eni
        ena.permanentMAC = eni.mac
        XCTAssertTrue(match("PermanentMACAddress=0200.0a00.0114").claims(ena))
    }

    /// Name= is tested against the kernel name, then each altname alone.
    func testNameMatchesAltNames() {
        XCTAssertTrue(match("Name=eni-0000000000000a010").claims(eni))
        XCTAssertTrue(match("Name=device-number-1.0").claims(eni))
        XCTAssertTrue(match("Name=device-number-*").selects(eni))
        XCTAssertFalse(match("Name=device-number-*").claims(eni))
        XCTAssertFalse(match("Name=eni-0000000000000a099").selects(eni))
    }

    /// A negative-only Name= fails on the kernel name but passes on any
    /// altname it does not name: networkd selects (corpus cases 006-008).
    func testNegatedNameStillSelectsThroughAnAltName() {
        XCTAssertTrue(match("Name=!eth1").selects(eni))
        XCTAssertFalse(match("Name=!eth1").claims(eni))
        XCTAssertFalse(match("Name=!eth1 eni-0000000000000a010 device-number-1.0").selects(eni))
        // The leading `!` is added to every word, so a word written `!x`
        // after it becomes `!!x`: a negative pattern for the literal `!x`,
        // which names nothing (corpus case 008, as networkd decides it).
        XCTAssertTrue(match("Name=!eth1 !eni-0000000000000a010 !device-number-1.0").selects(eni))
        XCTAssertFalse(match("Name=!eth1").selects(LinkIdentity(name: "eth1", mac: eni.mac)))
    }

    /// A later word written `!x` is a negative pattern: networkd decides
    /// the sign when matching, by the stored pattern's first character.
    func testABangInsideTheListIsNegative() {
        let m = match("Name=eth* !eth1")
        XCTAssertEqual(m.names, ["eth*", "!eth1"])
        XCTAssertFalse(m.selects(LinkIdentity(name: "eth1")))
        XCTAssertTrue(m.selects(LinkIdentity(name: "eth2")))
    }

    func testEmptyAssignmentResetsAndRepeatsAdd() {
        XCTAssertEqual(match("Name=eth1\nName=\nName=eth2").names, ["eth2"])
        XCTAssertEqual(match("Name=eth1\nName=eth2").names, ["eth1", "eth2"])
        XCTAssertTrue(match("MACAddress=02:00:0a:00:01:14\nMACAddress=").hardwareAddresses.isEmpty)
        XCTAssertEqual(match("Driver=ena\nDriver=\nDriver=veth").drivers, ["veth"])
        XCTAssertEqual(match("Property=A=b\nProperty=").properties, [])
    }

    /// ifname_valid_full(…, IFNAME_VALID_ALTERNATIVE): invalid words are
    /// dropped; a Name= of only invalid words sets nothing.
    func testInvalidInterfaceNamesAreDropped() {
        XCTAssertEqual(match("Name=a:b a/b 123 x%d . .. 0x1f eth1").names, ["eth1"])
        XCTAssertFalse(match("Name=123 a:b").selects(eni))
        XCTAssertEqual(match("Name=\(String(repeating: "a", count: 127)) \(String(repeating: "b", count: 128))").names.count, 1)
    }

    /// Name= keeps quotes (no EXTRACT_UNQUOTE); Driver=, Type=, Kind=,
    /// Property= remove them.
    func testQuotes() {
        XCTAssertEqual(match("Name=\"eth1\"").names, ["\"eth1\""])
        XCTAssertFalse(match("Name=\"eth1\"").selects(eni))
        XCTAssertEqual(match("Driver=\"ena\" 'veth'").drivers, ["ena", "veth"])
        XCTAssertEqual(match("Driver=\"e n a\"").drivers, ["e n a"])
        XCTAssertEqual(match("Driver=ena \"unbalanced").drivers, ["ena"])  // a syntax error ends the value
        XCTAssertEqual(match("Property=\"ID_NET_DRIVER=ena\"").properties, ["ID_NET_DRIVER=ena"])
    }

    func testClassMatchesSelectButNeverClaim() {
        for lines in ["Driver=ena", "Driver=e?a", "Type=ether", "Kind=!veth", "Property=ID_NET_DRIVER=ena",
                      "Property=!NOPE=*", "Driver=ena\nType=ether\nProperty=SUBSYSTEM=net"] {
            XCTAssertTrue(match(lines).selects(eni), lines)
            XCTAssertFalse(match(lines).claims(eni), lines)
        }
        for lines in ["Driver=veth", "Type=!ether", "Kind=veth", "Property=ID_NET_DRIVER=veth", "Property=NOPE=*",
                      "Property=!INTERFACE=eth*", "Type=wlan"] {
            XCTAssertFalse(match(lines).selects(eni), lines)
        }
    }

    func testInvalidPropertyWordsAreDropped() {
        XCTAssertEqual(match("Property=1X=y NOEQUALS =v A_1=x").properties, ["A_1=x"])
    }

    /// ENIs are not wireless: a positive WLANInterfaceType=/SSID= fails, a
    /// negative one passes.
    func testWirelessKeys() {
        XCTAssertFalse(match("Name=eth1\nSSID=home").selects(eni))
        XCTAssertTrue(match("Name=eth1\nSSID=!home").selects(eni))
        XCTAssertFalse(match("Name=eth1\nWLANInterfaceType=station").selects(eni))
        XCTAssertFalse(match("Name=eth1\nBSSID=02:00:00:00:00:01").selects(eni))
    }

    /// Conditions ec2net cannot evaluate are taken to hold: a file naming
    /// the ENI under Host= is still the admin's claim (never fight the admin).
    func testUnevaluableConditionsAreAssumedToHold() {
        XCTAssertTrue(match("Host=other-host\nMACAddress=02-00-0a-00-01-14").claims(eni))
        XCTAssertTrue(match("Virtualization=!vm").selects(eni))       // a condition alone selects every link
        XCTAssertFalse(match("Virtualization=!vm").claims(eni))
        XCTAssertFalse(match("Host=x\nHost=").hasSettings)           // empty drops the condition
    }

    func testEmptyMatchAndCaseSensitiveNamesSelectNothing() {
        XCTAssertFalse(NetworkMatch(parsing: "[Match]\n[Network]\nDHCP=yes\n").selects(eni))
        XCTAssertFalse(NetworkMatch(parsing: "[match]\nName=eth1\n").selects(eni))
        XCTAssertFalse(match("name=eth1").selects(eni))
    }

    func testWhitespaceCommentsAndContinuations() {
        XCTAssertEqual(match("\t Name \t=\t eth1 \t eth2  ").names, ["eth1", "eth2"])
        XCTAssertEqual(match("# Name=eth9\n; Name=eth8\nName=eth1").names, ["eth1"])
        XCTAssertEqual(match("MACAddress=02:00:0a:00:01:14 \\\n 02:00:00:00:00:20").hardwareAddresses.count, 2)
        XCTAssertEqual(match("Name=eth1\rName=eth2").names, ["eth1", "eth2"])  // a lone CR ends a line too
    }

    /// An invalid section header fails the whole file: networkd skips it.
    func testInvalidSectionHeaderFailsTheFile() {
        let m = NetworkMatch(parsing: "[Match]\nName=eth1\n[Network\nDHCP=yes\n")
        XCTAssertFalse(m.loads)
        XCTAssertFalse(m.selects(eni))
    }

    /// Drop-ins are parsed after the file into the same [Match].
    func testDropInsAddAndReset() {
        let file = "[Match]\nName=eth9\n[Network]\nDHCP=yes\n"
        XCTAssertFalse(NetworkMatch(parsing: [file]).selects(eni))
        XCTAssertTrue(NetworkMatch(parsing: [file, "[Match]\nName=eth1\n"]).claims(eni))
        XCTAssertFalse(NetworkMatch(parsing: [file, "[Match]\nName=eth1\n", "[Match]\nName=\nName=eth2\n"]).selects(eni))
        XCTAssertTrue(NetworkMatch(parsing: ["[Match]\nDriver=ena\n", "[Match]\nMACAddress=0200.0a00.0114\n"]).claims(eni))
        XCTAssertFalse(NetworkMatch(parsing: [file, "[Network]\nName=eth1\n"]).selects(eni))
    }

    /// At commit ec2net checks the claim with the altnames it is about to add.
    func testAddingAltNames() {
        let plain = LinkIdentity(name: "eth1", mac: eni.mac)
        XCTAssertFalse(match("Name=device-number-1.0").claims(plain))
        XCTAssertTrue(match("Name=device-number-1.0").claims(plain.adding(altNames: ["eni-0000000000000a010", "device-number-1.0"])))
        XCTAssertEqual(plain.adding(altNames: ["eth1", "x", "x"]).altNames, ["x"])
    }
}

/// The earlier tests' shorthand: an ENA link by name and MAC. ENA reports
/// its MAC as the permanent address (`ethtool -P` on EC2 instances prints
/// the ENI's MAC), and networkd's Type= of an Ethernet NIC is `ether`.
extension NetworkMatch {
    static func ena(_ interface: String, _ mac: MACAddress) -> LinkIdentity {
        LinkIdentity(name: interface, mac: mac, permanentMAC: mac, driver: "ena", type: "ether")
    }
    func selects(mac: MACAddress, interface: String) -> Bool { selects(NetworkMatch.ena(interface, mac)) }
    func claims(mac: MACAddress, interface: String) -> Bool { claims(NetworkMatch.ena(interface, mac)) }
}
