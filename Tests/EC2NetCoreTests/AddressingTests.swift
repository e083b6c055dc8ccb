import XCTest
@testable import EC2NetCore

final class IPv4AddressTests: XCTestCase {
    func testParsesAndPrintsDottedQuad() throws {
        for text in ["0.0.0.0", "10.0.0.1", "10.0.1.20", "172.31.255.254", "255.255.255.255", "169.254.169.254"] {
            XCTAssertEqual(try IPv4Address(parsing: text).description, text)
        }
        XCTAssertEqual(try IPv4Address(parsing: "10.1.2.3").value, 0x0a01_0203)
        XCTAssertEqual(try IPv4Address(parsing: "10.1.2.3").bytes, [10, 1, 2, 3])
        XCTAssertEqual(IPv4Address(0xc0a8_0001).description, "192.168.0.1")
    }

    func testRejectsEverythingButStrictDottedQuads() {
        let bad = [
            "10.0.0.300", "256.0.0.0", "010.0.0.1", "10.0.0.01", "00.1.2.3", "1.2.3", "1.2.3.4.5", "1.2.3.4.",
            ".1.2.3", "1..2.3", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3.4\r", "", "1.2.3.-4", "+1.2.3.4",
            "0x1.2.3.4", "1.2.3.a", "1234.1.1.1", "1.2.3.4/32", "::1", "1,2,3,4",
        ]
        for text in bad {
            XCTAssertThrowsError(try IPv4Address(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidIPv4(text))
            }
        }
    }

    func testSingleZeroOctetIsNotALeadingZero() throws {
        XCTAssertEqual(try IPv4Address(parsing: "10.0.0.0").description, "10.0.0.0")
        XCTAssertEqual(try IPv4Address(parsing: "0.10.100.0").description, "0.10.100.0")
    }

    func testOrdering() throws {
        let a = try IPv4Address(parsing: "10.0.0.9")
        let b = try IPv4Address(parsing: "10.0.0.10")
        let c = try IPv4Address(parsing: "9.255.255.255")
        XCTAssertEqual([a, b, c].sorted(), [c, a, b])
    }

    func testParsesSubstringSlices() throws {
        let line: Substring = "x10.0.0.7y".dropFirst().dropLast()
        XCTAssertEqual(try IPv4Address(parsing: line).description, "10.0.0.7")
    }
}

final class IPv6AddressTests: XCTestCase {
    func testRoundTripsCanonicalForms() throws {
        for text in ["2600:1f18:0:1::20", "::1", "::", "fe80::1:2", "2001:db8::", "1:2:3:4:5:6:7:8",
                     "2600:1f18:abcd:1234:5678:9abc:def0:1", "1::8", "1:0:2:3:4:5:6:7"] {
            XCTAssertEqual(try IPv6Address(parsing: text).description, text)
        }
    }

    func testPrintsRFC5952() throws {
        let cases: [(String, String)] = [
            // lower case, no leading zeros
            ("2600:1F18:0000:0001:0000:0000:0000:0020", "2600:1f18:0:1::20"),
            ("FE80:0:0:0:0:0:1:2", "fe80::1:2"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("0:0:0:0:0:0:0:0", "::"),
            // the longest run of zeros is compressed
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            // the first of equal runs
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            // a single zero group is not compressed
            ("1:2:3:4:5:6:0:8", "1:2:3:4:5:6:0:8"),
            ("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"),
            // leading and trailing runs
            ("0:0:0:1:2:3:4:5", "::1:2:3:4:5"),
            ("1:2:3:4:5:0:0:0", "1:2:3:4:5::"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try IPv6Address(parsing: input).description, expected, "printing \(input)")
        }
    }

    func testParsesEmbeddedIPv4() throws {
        let mapped = try IPv6Address(parsing: "::ffff:1.2.3.4")
        XCTAssertEqual(mapped.bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
        XCTAssertEqual(try IPv6Address(parsing: "::ffff:102:304"), mapped)
        XCTAssertEqual(try IPv6Address(parsing: "64:ff9b::192.0.2.33").bytes.suffix(4), [192, 0, 2, 33])
        XCTAssertEqual(try IPv6Address(parsing: "1:2:3:4:5:6:1.2.3.4").bytes.suffix(4), [1, 2, 3, 4])
    }

    /// RFC 5952 section 5 recommends the mixed notation for IPv4-mapped
    /// addresses, as inet_ntop(3) prints them.
    func testPrintsIPv4MappedInMixedNotation() throws {
        XCTAssertEqual(try IPv6Address(parsing: "::ffff:1.2.3.4").description, "::ffff:1.2.3.4")
    }

    func testRejectsMalformed() {
        let bad = [
            "1:::2", "12345::", "g::1", ":", ":::", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "", " ::1", "::1 ", "::1\n", "fe80::1%eth0", "::ffff:1.2.3",
            "::ffff:1.2.3.400", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "2600:1f18::/64", "[::1]", "1.2.3.4",
            "::-1", "::+1", "0x1::",
        ]
        for text in bad {
            XCTAssertThrowsError(try IPv6Address(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidIPv6(text))
            }
        }
    }

    func testOrderingIsByBytes() throws {
        let a = try IPv6Address(parsing: "2600::2")
        let b = try IPv6Address(parsing: "2600::10")
        let c = try IPv6Address(parsing: "::1")
        XCTAssertEqual([b, a, c].sorted(), [c, a, b])
    }
}

final class CIDRTests: XCTestCase {
    func testParsesIPv4Blocks() throws {
        let c = try IPv4CIDR(parsing: "10.0.1.16/28")
        XCTAssertEqual(c.address, try IPv4Address(parsing: "10.0.1.16"))
        XCTAssertEqual(c.prefixLength, 28)
        XCTAssertEqual(c.description, "10.0.1.16/28")
        XCTAssertEqual(try IPv4CIDR(parsing: "0.0.0.0/0").description, "0.0.0.0/0")
        XCTAssertEqual(try IPv4CIDR(parsing: "10.0.0.5/32").description, "10.0.0.5/32")
    }

    func testParsesIPv6BlocksAndCanonicalises() throws {
        XCTAssertEqual(try IPv6CIDR(parsing: "2600:1f18:0:1::/64").description, "2600:1f18:0:1::/64")
        XCTAssertEqual(try IPv6CIDR(parsing: "2600:1F18:0000:0001:0000:0000:0000:0000/80").description, "2600:1f18:0:1::/80")
        XCTAssertEqual(try IPv6CIDR(parsing: "::/0").prefixLength, 0)
        XCTAssertEqual(try IPv6CIDR(parsing: "::1/128").prefixLength, 128)
    }

    func testRejectsMalformed() {
        for text in ["10.0.0.0/33", "/", "10.0.0.0/", "/24", "10.0.0.0/2a", "10.0.0.0", "10.0.0.0/-1", "10.0.0.0/+8",
                     "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0 /8", "10.0.0.300/8", "10.0.0.0/8/8", "10.0.0.0/1000",
                     "10.0.0.0/8\n", "::/24"] {
            XCTAssertThrowsError(try IPv4CIDR(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidCIDR(text))
            }
        }
        for text in ["::/129", "2600::/", "2600::", "10.0.0.0/8", "g::/64", "2600::/64x"] {
            XCTAssertThrowsError(try IPv6CIDR(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidCIDR(text))
            }
        }
    }

    func testOrderingByAddressThenLength() throws {
        let a = try IPv4CIDR(parsing: "10.0.0.0/24")
        let b = try IPv4CIDR(parsing: "10.0.0.0/16")
        let c = try IPv4CIDR(parsing: "9.0.0.0/8")
        XCTAssertEqual([a, b, c].sorted(), [c, b, a])
    }
}

final class MACAddressTests: XCTestCase {
    func testParsesCaseInsensitiveAndPrintsLowerCase() throws {
        let m = try MACAddress(parsing: "02:AB:cd:0E:f0:01")
        XCTAssertEqual(m.bytes, [0x02, 0xab, 0xcd, 0x0e, 0xf0, 0x01])
        XCTAssertEqual(m.description, "02:ab:cd:0e:f0:01")
        XCTAssertEqual(m.compact, "02abcd0ef001")
        XCTAssertEqual(try MACAddress(parsing: "02:ab:cd:0e:f0:01"), m)
        XCTAssertEqual(MACAddress(bytes: [0, 1, 2, 3, 4, 5]).description, "00:01:02:03:04:05")
    }

    func testRejectsMalformed() {
        for text in ["02-ab-cd-0e-f0-01", "02:ab:cd:0e:f0", "02:ab:cd:0e:f0:01:02", "02:ab:cd:0e:f0:0g", "02:ab:cd:0e:f0:1",
                     "2:ab:cd:0e:f0:012", "02abcd0ef001", "", " 02:ab:cd:0e:f0:01", "02:ab:cd:0e:f0:01\n", "02:ab:cd:0e:f0::1",
                     "02.ab.cd.0e.f0.01"] {
            XCTAssertThrowsError(try MACAddress(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidMAC(text))
            }
        }
    }

    func testOrdering() throws {
        let a = try MACAddress(parsing: "02:00:00:00:00:02")
        let b = try MACAddress(parsing: "02:00:00:00:00:10")
        let c = try MACAddress(parsing: "01:ff:ff:ff:ff:ff")
        XCTAssertEqual([b, a, c].sorted(), [c, a, b])
    }
}

final class InterfaceIDTests: XCTestCase {
    func testAcceptsShortAndLongIDs() throws {
        XCTAssertEqual(try InterfaceID(parsing: "eni-1a2b3c4d").description, "eni-1a2b3c4d")
        XCTAssertEqual(try InterfaceID(parsing: "eni-0123456789abcdef0").description, "eni-0123456789abcdef0")
    }

    func testRejectsOthers() {
        for text in ["eni-1a2b3c4", "eni-1a2b3c4d5", "eni-0123456789abcdef", "eni-0123456789abcdef01", "eni-0123456789ABCDEF0",
                     "ENI-1a2b3c4d", "eni-1a2b3c4g", "eni-", "", "eni-1a2b3c4d\n", " eni-1a2b3c4d", "vpc-1a2b3c4d",
                     "eni_1a2b3c4d"] {
            XCTAssertThrowsError(try InterfaceID(parsing: text), "accepted \(Printable.quote(text))") { error in
                XCTAssertEqual(error as? AddressError, .invalidInterfaceID(text))
            }
        }
    }
}

final class DeviceIndexTests: XCTestCase {
    func testRanges() throws {
        XCTAssertEqual(DeviceIndex.deviceRange, 0...99)
        XCTAssertEqual(DeviceIndex.cardRange, 0...31)
        XCTAssertNoThrow(try DeviceIndex(card: 0, device: 0))
        XCTAssertNoThrow(try DeviceIndex(card: 31, device: 99))
        XCTAssertThrowsError(try DeviceIndex(card: 0, device: 100)) { XCTAssertEqual($0 as? AddressError, .outOfRange("100", 0...99)) }
        XCTAssertThrowsError(try DeviceIndex(card: 0, device: -1)) { XCTAssertEqual($0 as? AddressError, .outOfRange("-1", 0...99)) }
        XCTAssertThrowsError(try DeviceIndex(card: 32, device: 0)) { XCTAssertEqual($0 as? AddressError, .outOfRange("32", 0...31)) }
        XCTAssertThrowsError(try DeviceIndex(card: -1, device: 0)) { XCTAssertEqual($0 as? AddressError, .outOfRange("-1", 0...31)) }
    }

    func testPrimarySlotAndOrdering() throws {
        XCTAssertTrue(DeviceIndex.primary.isPrimarySlot)
        XCTAssertFalse(try DeviceIndex(card: 1, device: 0).isPrimarySlot)
        XCTAssertFalse(try DeviceIndex(card: 0, device: 1).isPrimarySlot)
        let list = [try DeviceIndex(card: 1, device: 0), try DeviceIndex(card: 0, device: 5), try DeviceIndex(card: 0, device: 1)]
        XCTAssertEqual(list.sorted().map(\.description),
                       ["device-number 1, network-card 0", "device-number 5, network-card 0", "device-number 0, network-card 1"])
    }

    func testParseInteger() throws {
        XCTAssertEqual(try DeviceIndex.parseInteger("0", in: 0...99), 0)
        XCTAssertEqual(try DeviceIndex.parseInteger("99", in: 0...99), 99)
        XCTAssertThrowsError(try DeviceIndex.parseInteger("100", in: 0...99)) {
            XCTAssertEqual($0 as? AddressError, .outOfRange("100", 0...99))
        }
        for text in ["", "-1", "+1", " 1", "1 ", "1\n", "1.0", "0x1", "one", "1234567"] {
            XCTAssertThrowsError(try DeviceIndex.parseInteger(Substring(text), in: 0...99), "accepted \(Printable.quote(text))") {
                XCTAssertEqual($0 as? AddressError, .invalidInteger(text))
            }
        }
    }

    func testRoutingNumbers() throws {
        XCTAssertEqual(PolicyRouting(index: .primary).table, 10000)
        XCTAssertEqual(PolicyRouting(index: .primary).metric, 512)
        let r = PolicyRouting(index: try DeviceIndex(card: 2, device: 7))
        XCTAssertEqual(r.table, 10207)
        XCTAssertEqual(r.metric, 719)
        XCTAssertEqual(PolicyRouting.ownedTables, 10000...13199)
    }
}

final class PrintableTests: XCTestCase {
    func testEscapesControlCharacters() {
        XCTAssertEqual(Printable.quote("a\nb\r\t\"\\\u{1}\u{7f}"), "\"a\\nb\\r\\t\\\"\\\\\\x1\\x7f\"")
        XCTAssertEqual(Printable.quote(String(repeating: "x", count: 5), limit: 3), "\"xxx…\"")
    }
}
