import XCTest
@testable import EC2NetCore

final class MetadataTests: XCTestCase {
    let mac = try! MACAddress(parsing: "02:00:00:00:00:02")
    let slot = try! DeviceIndex(card: 0, device: 1)

    func make(_ bodies: [MetadataKey: String], primary: Bool = false) throws -> InterfaceMetadata {
        try InterfaceMetadata(mac: mac, isPrimary: primary, index: slot, bodies: bodies)
    }

    func testParsesEveryKey() throws {
        let m = try make([
            .interfaceID: "eni-0123456789abcdef0",
            .localIPv4s: "10.0.0.20\n10.0.0.22\n10.0.0.21",
            .ipv6s: "2600:1f18:0:1::20\n2600:1F18:0:1:0:0:0:21",
            .ipv4Prefix: "10.0.0.48/28",
            .ipv6Prefix: "2600:1f18:0:1:1::/80",
            .subnetIPv4: "10.0.0.0/24",
            .subnetIPv6: "2600:1f18:0:1::/64",
        ])
        XCTAssertEqual(m.mac, mac)
        XCTAssertFalse(m.isPrimary)
        XCTAssertEqual(m.index, slot)
        XCTAssertEqual(m.interfaceID?.description, "eni-0123456789abcdef0")
        XCTAssertEqual(m.ipv4Addresses.map(\.description), ["10.0.0.20", "10.0.0.22", "10.0.0.21"])
        XCTAssertEqual(m.secondaryIPv4Addresses.map(\.description), ["10.0.0.21", "10.0.0.22"])
        XCTAssertEqual(m.ipv6Addresses.map(\.description), ["2600:1f18:0:1::20", "2600:1f18:0:1::21"])
        XCTAssertEqual(m.ipv4Prefixes.map(\.description), ["10.0.0.48/28"])
        XCTAssertEqual(m.ipv6Prefixes.map(\.description), ["2600:1f18:0:1:1::/80"])
        XCTAssertEqual(m.ipv4Subnet?.description, "10.0.0.0/24")
        XCTAssertEqual(m.ipv6Subnets.map(\.description), ["2600:1f18:0:1::/64"])
        XCTAssertTrue(m.hasIPv4)
        XCTAssertTrue(m.hasIPv6)
        XCTAssertTrue(m.hasAnyAddress)
    }

    func testAbsentKeysAreEmpty() throws {
        // A key that answered 404 is absent from the dictionary.
        let m = try make([:])
        XCTAssertNil(m.interfaceID)
        XCTAssertEqual(m.ipv4Addresses, [])
        XCTAssertEqual(m.ipv6Addresses, [])
        XCTAssertEqual(m.ipv4Prefixes, [])
        XCTAssertEqual(m.ipv6Prefixes, [])
        XCTAssertNil(m.ipv4Subnet)
        XCTAssertEqual(m.ipv6Subnets, [])
        XCTAssertFalse(m.hasIPv4)
        XCTAssertFalse(m.hasIPv6)
        XCTAssertFalse(m.hasAnyAddress)
        XCTAssertEqual(m, InterfaceMetadata(mac: mac, isPrimary: false, index: slot))
    }

    func testEmptyBodyIsAnEmptyList() throws {
        let m = try make([.localIPv4s: "", .ipv6s: "\n"])
        XCTAssertEqual(m.ipv4Addresses, [])
        XCTAssertEqual(m.ipv6Addresses, [])
    }

    func testAcceptsOneTrailingNewline() throws {
        let m = try make([.localIPv4s: "10.0.0.20\n10.0.0.21\n", .interfaceID: "eni-1a2b3c4d\n", .subnetIPv4: "10.0.0.0/24\n"])
        XCTAssertEqual(m.ipv4Addresses.map(\.description), ["10.0.0.20", "10.0.0.21"])
        XCTAssertEqual(m.interfaceID?.description, "eni-1a2b3c4d")
        XCTAssertEqual(m.ipv4Subnet?.description, "10.0.0.0/24")
    }

    func testRefusesAValueSmugglingASection() {
        let hostile = "10.0.0.20\n[Match]\nName=*"
        XCTAssertThrowsError(try make([.localIPv4s: hostile])) { error in
            XCTAssertEqual(error as? MetadataError, .invalidValue(key: "local-ipv4s", .invalidIPv4("[Match]")))
        }
        XCTAssertThrowsError(try make([.subnetIPv6: "2600:1f18:0:1::/64\n[Route]"])) { error in
            XCTAssertEqual(error as? MetadataError, .invalidValue(key: "subnet-ipv6-cidr-blocks", .invalidCIDR("[Route]")))
        }
        XCTAssertThrowsError(try make([.interfaceID: "eni-1a2b3c4d\n[Network]"])) { error in
            XCTAssertEqual(error as? MetadataError, .invalidValue(key: "interface-id", .invalidInterfaceID("[Network]")))
        }
    }

    func testRefusesInvalidValues() {
        XCTAssertThrowsError(try make([.localIPv4s: "10.0.0.20\n10.0.0.300"])) { error in
            XCTAssertEqual(error as? MetadataError, .invalidValue(key: "local-ipv4s", .invalidIPv4("10.0.0.300")))
        }
        XCTAssertThrowsError(try make([.ipv6s: "2600::1::2"]))
        XCTAssertThrowsError(try make([.ipv4Prefix: "10.0.0.48/33"]))
        XCTAssertThrowsError(try make([.ipv6Prefix: "2600::/129"]))
        XCTAssertThrowsError(try make([.subnetIPv4: "10.0.0.0"]))
        XCTAssertThrowsError(try make([.interfaceID: "eni-XYZ"]))
        // Blank lines inside a list and CRLF are not IMDS's format.
        XCTAssertThrowsError(try make([.localIPv4s: "10.0.0.20\n\n10.0.0.21"]))
        XCTAssertThrowsError(try make([.localIPv4s: "10.0.0.20\r\n10.0.0.21"]))
        XCTAssertThrowsError(try make([.localIPv4s: " 10.0.0.20"]))
    }

    func testSingleValuedKeysRefuseTwoValues() {
        XCTAssertThrowsError(try make([.subnetIPv4: "10.0.0.0/24\n10.0.1.0/24"])) { error in
            XCTAssertEqual(error as? MetadataError, .multipleValues(key: "subnet-ipv4-cidr-block", count: 2))
        }
        XCTAssertThrowsError(try make([.interfaceID: "eni-1a2b3c4d\neni-1a2b3c4e\n"])) { error in
            XCTAssertEqual(error as? MetadataError, .multipleValues(key: "interface-id", count: 2))
        }
    }

    func testIPv6OnlyAndSubnetOnly() throws {
        let v6 = try make([.ipv6s: "2600:1f18:0:1::20", .subnetIPv6: "2600:1f18:0:1::/64"])
        XCTAssertFalse(v6.hasIPv4)
        XCTAssertTrue(v6.hasIPv6)
        XCTAssertTrue(v6.hasAnyAddress)
        // A subnet without an address gives IPv6 routes but no address.
        let subnetOnly = try make([.subnetIPv6: "2600:1f18:0:1::/64"])
        XCTAssertTrue(subnetOnly.hasIPv6)
        XCTAssertFalse(subnetOnly.hasAnyAddress)
    }

    func testLinesAndListing() {
        XCTAssertEqual(MetadataValues.lines(""), [])
        XCTAssertEqual(MetadataValues.lines("\n"), [])
        XCTAssertEqual(MetadataValues.lines("a"), ["a"])
        XCTAssertEqual(MetadataValues.lines("a\nb\n"), ["a", "b"])
        XCTAssertEqual(MetadataValues.lines("a\n\nb"), ["a", "", "b"])
        XCTAssertEqual(MetadataValues.listing("device-number\nipv6s\nipv4-prefix/\n"), ["device-number", "ipv6s", "ipv4-prefix"])
        XCTAssertEqual(MetadataValues.listing("02:00:00:00:00:01/\n02:00:00:00:00:02/"), ["02:00:00:00:00:01", "02:00:00:00:00:02"])
    }

    func testInteger() throws {
        XCTAssertEqual(try MetadataValues.integer("3", key: .deviceNumber, in: 0...99), 3)
        XCTAssertEqual(try MetadataValues.integer("3\n", key: .deviceNumber, in: 0...99), 3)
        XCTAssertThrowsError(try MetadataValues.integer("100", key: .deviceNumber, in: 0...99)) {
            XCTAssertEqual($0 as? MetadataError, .invalidValue(key: "device-number", .outOfRange("100", 0...99)))
        }
        XCTAssertThrowsError(try MetadataValues.integer("1\n[Match]", key: .deviceNumber, in: 0...99))
        XCTAssertThrowsError(try MetadataValues.integer("", key: .networkCard, in: 0...31))
        XCTAssertThrowsError(try MetadataValues.integer("-1", key: .networkCard, in: 0...31))
    }

    func testErrorDescriptionsEscapeHostileText() {
        let e = MetadataError.invalidValue(key: "local-ipv4s", .invalidIPv4("[Match]\nName=*"))
        XCTAssertFalse(e.description.contains("\n"))
        XCTAssertEqual(e.description, "IMDS key local-ipv4s: not an IPv4 address: \"[Match]\\nName=*\"")
    }
}
