import XCTest
@testable import EC2NetCore

/// Inputs found by the libFuzzer targets in fuzz/ (`make fuzz`), reduced to
/// the smallest case.
final class FuzzRegressionTests: XCTestCase {
    func parse(_ texts: String...) -> ConfigParser {
        var p = ConfigParser()
        for (k, text) in texts.enumerated() { p.apply(text: text, file: "\(k).conf") }
        return p
    }

    /// fuzz-config, property config-crlf (seed `two-files`): a config file
    /// with CR LF line ends was one single line to the parser (a Swift
    /// `Character` "\r\n" is not "\n"), so every key in it was lost.
    func testConfigCRLFMeansTheSameAsLF() {
        let lf = "[Interfaces]\nExclude=device:1\n; vendor\n"
        let dropin = "[Interfaces]\nExclude=\nManage=primary-only\n"
        let crlf = { (s: String) in s.replacingOccurrences(of: "\n", with: "\r\n") }
        XCTAssertEqual(parse(crlf(lf), crlf(dropin)).configuration, parse(lf, dropin).configuration)
        XCTAssertEqual(parse(crlf(lf)).configuration.exclude, [.devices(1...1)])
        XCTAssertEqual(parse(crlf(dropin)).configuration.manage, .primaryOnly)
        XCTAssertEqual(parse(crlf("[Network]\nMTU=9001\n")).diagnostics, [])
    }

    /// fuzz-match, property match-crlf (seed `globs`): an administrator's
    /// .network file with CR LF line ends (networkd reads those) was one
    /// line, so its [Match] claimed nothing and ec2net did not step aside.
    func testNetworkMatchCRLFMeansTheSameAsLF() throws {
        let mac = try MACAddress(parsing: "02:1a:2b:3c:4d:5e")
        let lf = "[Match]\nMACAddress=02:1a:2b:3c:4d:5e\n\n[Network]\nDHCP=yes\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(NetworkMatch(parsing: crlf), NetworkMatch(parsing: lf))
        XCTAssertTrue(NetworkMatch(parsing: crlf).claims(mac: mac, interface: "ens6"))
        let byName = "[Match]\r\n  Name = eth[0-9] en?5\r\n"
        XCTAssertTrue(NetworkMatch(parsing: byName).selects(mac: mac, interface: "eth1"))
        XCTAssertFalse(NetworkMatch(parsing: byName).selects(mac: mac, interface: "lo"))
    }

    /// fuzz-config, property config-diagnostic-line: an unknown key or
    /// section name went into the diagnostic unquoted, and diagnostics are
    /// logged as they are (Runtime: `log.warning("config: \(d)")`), so a
    /// control character in the file (ESC, DEL, NUL...) reached syslog and
    /// stderr raw. ConfigParser.swift, "unknown section [\(section)]" and
    /// "\(key)= outside any section" / "unknown key \(key)= in [\(section)]".
    func testConfigDiagnosticsStayOnOneLine() {
        let p = parse("\u{1}=\n[Interfaces]\nFoo\u{1b}[2J=1\n[Bad\u{7f}]\nx=1\n")
        XCTAssertEqual(p.diagnostics.count, 4, "\(p.diagnostics)")
        for d in p.diagnostics {
            XCTAssertFalse(d.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f },
                           "diagnostic with a control character: \(Printable.quote(d.description))")
        }
    }
}
