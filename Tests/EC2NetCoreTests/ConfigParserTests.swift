import XCTest
@testable import EC2NetCore

final class ConfigParserTests: XCTestCase {
    func parse(_ texts: (String, String)...) -> ConfigParser {
        var p = ConfigParser()
        for (file, text) in texts { p.apply(text: text, file: file) }
        return p
    }

    func testDefaults() {
        let c = Configuration()
        XCTAssertEqual(c.manage, .all)
        XCTAssertEqual(c.exclude, [])
        XCTAssertEqual(c.namingMode, .keep)
        XCTAssertNil(c.mtu)
        XCTAssertTrue(c.secondaryDefaultRoutesInMain)
        XCTAssertFalse(c.localPrefixes)
        XCTAssertNil(c.imdsEndpoint)
        XCTAssertEqual(c.imdsTimeout, 2.0)
        XCTAssertEqual(c.deviceNumberTimeout, 20.0)
        XCTAssertTrue(c.setHostname)
        let p = parse(("empty.conf", ""))
        XCTAssertEqual(p.configuration, c)
        XCTAssertEqual(p.diagnostics, [])
    }

    func testEveryKey() throws {
        let p = parse(("ec2net.conf", """
            # comment
            ; another comment
            [Interfaces]
            Manage = primary-only
            Exclude=02:00:00:00:00:0A eni-0123456789abcdef0,device:1-15
              Exclude = device:20\t

            [Naming]
            Mode=device-index

            [Network]
            MTU=9001

            [Routing]
            SecondaryDefaultRoutesInMain=no
            LocalPrefixes=yes

            [IMDS]
            Endpoint=http://[fd00:ec2::254]
            Timeout=0.5
            DeviceNumberTimeout=30

            [Hostname]
            SetFromIMDS=false
            """))
        XCTAssertEqual(p.diagnostics, [])
        let c = p.configuration
        XCTAssertEqual(c.manage, .primaryOnly)
        XCTAssertEqual(c.exclude, [
            .mac(try MACAddress(parsing: "02:00:00:00:00:0a")),
            .interfaceID("eni-0123456789abcdef0"),
            .devices(1...15),
            .devices(20...20),
        ])
        XCTAssertEqual(c.namingMode, .deviceIndex)
        XCTAssertEqual(c.mtu, 9001)
        XCTAssertFalse(c.secondaryDefaultRoutesInMain)
        XCTAssertTrue(c.localPrefixes)
        XCTAssertEqual(c.imdsEndpoint, "http://[fd00:ec2::254]")
        XCTAssertEqual(c.imdsTimeout, 0.5)
        XCTAssertEqual(c.deviceNumberTimeout, 30)
        XCTAssertFalse(c.setHostname)
    }

    func testModesAndBooleans() {
        for (text, mode) in [("all", Configuration.ManageMode.all), ("primary-only", .primaryOnly), ("none", .none)] {
            XCTAssertEqual(parse(("a", "[Interfaces]\nManage=\(text)")).configuration.manage, mode)
        }
        for (text, mode) in [("keep", Configuration.NamingMode.keep), ("device-index", .deviceIndex), ("off", .off)] {
            XCTAssertEqual(parse(("a", "[Naming]\nMode=\(text)")).configuration.namingMode, mode)
        }
        for t in ["yes", "true", "on", "1", "YES", "True"] {
            XCTAssertTrue(parse(("a", "[Routing]\nLocalPrefixes=\(t)")).configuration.localPrefixes, t)
        }
        for f in ["no", "false", "off", "0", "No"] {
            let p = parse(("a", "[Routing]\nSecondaryDefaultRoutesInMain=\(f)"))
            XCTAssertFalse(p.configuration.secondaryDefaultRoutesInMain, f)
            XCTAssertEqual(p.diagnostics, [])
        }
    }

    func testDropInsApplyInOrderLaterWins() throws {
        let p = parse(
            ("/usr/lib/ec2net/ec2net.conf", "[Network]\nMTU=9001\n[Interfaces]\nExclude=device:5\n[IMDS]\nTimeout=1"),
            ("/etc/ec2net/ec2net.conf", "[Network]\nMTU=1500\n[Interfaces]\nExclude=02:00:00:00:00:01"),
            ("/etc/ec2net/ec2net.conf.d/10-a.conf", "[Interfaces]\nExclude=eni-1a2b3c4d"),
        )
        XCTAssertEqual(p.diagnostics, [])
        XCTAssertEqual(p.configuration.mtu, 1500)
        XCTAssertEqual(p.configuration.imdsTimeout, 1)
        // Exclude= accumulates across lines and files ...
        XCTAssertEqual(p.configuration.exclude, [
            .devices(5...5), .mac(try MACAddress(parsing: "02:00:00:00:00:01")), .interfaceID("eni-1a2b3c4d"),
        ])
    }

    func testEmptyAssignmentResets() {
        let p = parse(
            ("ec2net.conf", "[Interfaces]\nExclude=device:5 device:7\n[Network]\nMTU=9001\n[IMDS]\nEndpoint=http://127.0.0.1:8080"),
            ("ec2net.conf.d/50-reset.conf", "[Interfaces]\nExclude=\nExclude=device:9\n[Network]\nMTU=\n[IMDS]\nEndpoint="),
        )
        XCTAssertEqual(p.diagnostics, [])
        XCTAssertEqual(p.configuration.exclude, [.devices(9...9)])
        XCTAssertNil(p.configuration.mtu)
        XCTAssertNil(p.configuration.imdsEndpoint)
    }

    func testUnknownKeyIsDiagnosedAndTheRestApplies() {
        let p = parse(("/etc/ec2net/ec2net.conf", """
            [Network]
            MTU=9001
            Colour=blue
            [Routing]
            LocalPrefixes=yes
            """))
        XCTAssertEqual(p.diagnostics.map(\.description), ["/etc/ec2net/ec2net.conf:3: unknown key \"Colour=\" in \"[Network]\""])
        XCTAssertEqual(p.diagnostics.first?.file, "/etc/ec2net/ec2net.conf")
        XCTAssertEqual(p.diagnostics.first?.line, 3)
        XCTAssertEqual(p.configuration.mtu, 9001)
        XCTAssertTrue(p.configuration.localPrefixes)
    }

    func testBadValuesAreDiagnosedWithFileAndLine() {
        let text = """
            [Interfaces]
            Manage=some
            Exclude=02:00:00:00:00:01 not-a-mac
            [Naming]
            Mode=eth
            [Network]
            MTU=100
            MTU=9217
            MTU=15OO
            [Routing]
            SecondaryDefaultRoutesInMain=maybe
            LocalPrefixes=
            [IMDS]
            Endpoint=https://169.254.169.254
            Timeout=0
            Timeout=61
            Timeout=1e1
            Timeout=2s
            DeviceNumberTimeout=51
            [Hostname]
            SetFromIMDS=2
            """
        let p = parse(("x.conf", text))
        XCTAssertEqual(p.diagnostics.map(\.file), Array(repeating: "x.conf", count: p.diagnostics.count))
        XCTAssertEqual(p.diagnostics.map(\.line), [2, 3, 5, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 21])
        XCTAssertTrue(p.diagnostics[0].message.contains("Manage"), p.diagnostics[0].message)
        XCTAssertTrue(p.diagnostics[1].message.contains("Exclude="), p.diagnostics[1].message)
        XCTAssertTrue(p.diagnostics[3].message.contains("MTU="), p.diagnostics[3].message)
        // Nothing bad applied: the defaults stand, including the first MAC on the refused Exclude= line.
        XCTAssertEqual(p.configuration, Configuration())
    }

    func testSyntaxProblems() {
        let p = parse(("y.conf", """
            MTU=1500
            [Network
            MTU=1500
            [Nonsense]
            Key=1
            [Network]
            just some words
            MTU=9001
            """))
        XCTAssertEqual(p.diagnostics.map(\.line), [1, 2, 4, 5, 7])
        XCTAssertEqual(p.diagnostics[0].message, "\"MTU=\" outside any section")
        XCTAssertTrue(p.diagnostics[1].message.contains("malformed section header"))
        XCTAssertEqual(p.diagnostics[2].message, "unknown section \"[Nonsense]\"")
        XCTAssertEqual(p.configuration.mtu, 9001)
    }

    func testSectionNamesAndKeysAreCaseSensitive() {
        let p = parse(("z.conf", "[network]\nMTU=9001\n[Network]\nmtu=9001"))
        XCTAssertEqual(p.diagnostics.map(\.line), [1, 2, 4])
        XCTAssertNil(p.configuration.mtu)
    }

    func testCRLFAndWhitespace() {
        let p = parse(("w.conf", "[Network]\r\n  MTU  =  9001  \r\n"))
        XCTAssertEqual(p.diagnostics, [])
        XCTAssertEqual(p.configuration.mtu, 9001)
    }

    func testDiagnosticsQuoteHostileText() {
        let p = parse(("h.conf", "[Interfaces]\nManage=all\u{1b}[31m"))
        XCTAssertEqual(p.diagnostics.count, 1)
        XCTAssertFalse(p.diagnostics[0].description.unicodeScalars.contains { $0.value < 0x20 })
    }

    func testExclusionRuleParsing() throws {
        XCTAssertEqual(try ExclusionRule(parsing: "device:3"), .devices(3...3))
        XCTAssertEqual(try ExclusionRule(parsing: "device:1-15"), .devices(1...15))
        XCTAssertEqual(try ExclusionRule(parsing: "eni-1a2b3c4d"), .interfaceID("eni-1a2b3c4d"))
        XCTAssertEqual(try ExclusionRule(parsing: "02:AA:00:00:00:01"), .mac(try MACAddress(parsing: "02:aa:00:00:00:01")))
        for bad in ["device:", "device:5-3", "device:1-2-3", "device:100", "device:-1", "eni-xyz", "eth1", "device:a"] {
            XCTAssertThrowsError(try ExclusionRule(parsing: Substring(bad)), bad)
        }
        XCTAssertEqual(ExclusionRule.devices(1...15).description, "device:1-15")
        XCTAssertEqual(ExclusionRule.devices(4...4).description, "device:4")
    }

    func testExclusionThroughTheParser() throws {
        let p = parse(("e.conf", "[Interfaces]\nExclude=device:1-15"))
        let mac = try MACAddress(parsing: "02:00:00:00:00:0a")
        let decide = { (index: DeviceIndex) in
            ManagementDecision.decide(ManagementDecision.Subject(mac: mac, name: "eth1", index: index),
                                      configuration: p.configuration, adminClaim: { nil })
        }
        XCTAssertEqual(decide(try DeviceIndex(card: 0, device: 15)), .excluded(.devices(1...15)))
        XCTAssertNil(decide(.primary))
    }
}
