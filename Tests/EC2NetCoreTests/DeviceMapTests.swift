import XCTest
@testable import EC2NetCore

final class DeviceMapTests: XCTestCase {
    let a = try! MACAddress(parsing: "02:00:00:00:00:0a")
    let b = try! MACAddress(parsing: "02:00:00:00:00:0b")
    let c = try! MACAddress(parsing: "02:00:00:00:00:0c")

    func testParsesLines() throws {
        let map = DeviceMap(parsing: """
            02:00:00:00:00:0b device=1 card=0 eni=eni-0123456789abcdef0
            02:00:00:00:00:0A device=0 card=0
            02:00:00:00:00:0c device=2 card=1 eni=eni-1a2b3c4d

            """)
        XCTAssertEqual(map.entries.count, 3)
        XCTAssertEqual(map[a], DeviceMap.Entry(index: .primary, interfaceID: nil))
        XCTAssertEqual(map[b], DeviceMap.Entry(index: try DeviceIndex(card: 0, device: 1), interfaceID: try InterfaceID(parsing: "eni-0123456789abcdef0")))
        XCTAssertEqual(map[c]?.index, try DeviceIndex(card: 1, device: 2))
        XCTAssertEqual(map[c]?.interfaceID?.description, "eni-1a2b3c4d")
    }

    func testCardDefaultsToZeroAndUnknownWordsAreIgnored() throws {
        let map = DeviceMap(parsing: "02:00:00:00:00:0a device=3 colour=blue\n")
        XCTAssertEqual(map[a]?.index, try DeviceIndex(card: 0, device: 3))
    }

    func testDropsLinesThatDoNotParse() throws {
        let map = DeviceMap(parsing: """
            not-a-mac device=1
            02:00:00:00:00:0a
            02:00:00:00:00:0b device=100
            02:00:00:00:00:0c device=1 card=32
            02:00:00:00:00:0d device=x
            02:00:00:00:00:0e device=-1
            02:00:00:00:00:0f device=4 card=0 eni=bogus
            """)
        // Only the last line survives; its bad eni= is dropped, not the line.
        XCTAssertEqual(map.entries.count, 1)
        let f = try MACAddress(parsing: "02:00:00:00:00:0f")
        XCTAssertEqual(map[f], DeviceMap.Entry(index: try DeviceIndex(card: 0, device: 4), interfaceID: nil))
    }

    func testLaterLineForTheSameMACWins() throws {
        let map = DeviceMap(parsing: "02:00:00:00:00:0a device=1\n02:00:00:00:00:0a device=2\n")
        XCTAssertEqual(map[a]?.index.device, 2)
    }

    func testRendersSortedAndRoundTrips() throws {
        var map = DeviceMap()
        XCTAssertEqual(map.render(), "")
        map[c] = .init(index: try DeviceIndex(card: 1, device: 0), interfaceID: nil)
        map[a] = .init(index: .primary, interfaceID: try InterfaceID(parsing: "eni-1a2b3c4d"))
        map[b] = .init(index: try DeviceIndex(card: 0, device: 1), interfaceID: try InterfaceID(parsing: "eni-0123456789abcdef0"))
        let text = map.render()
        XCTAssertEqual(text, """
            02:00:00:00:00:0a device=0 card=0 eni=eni-1a2b3c4d
            02:00:00:00:00:0b device=1 card=0 eni=eni-0123456789abcdef0
            02:00:00:00:00:0c device=0 card=1

            """)
        XCTAssertEqual(DeviceMap(parsing: text), map)
        map[b] = nil
        XCTAssertNil(map[b])
        XCTAssertEqual(map.entries.count, 2)
    }

    func testReverseLookup() throws {
        let map = DeviceMap(parsing: "02:00:00:00:00:0a device=0 card=0\n02:00:00:00:00:0b device=1 card=0\n02:00:00:00:00:0c device=1 card=1\n")
        XCTAssertEqual(map.mac(for: try DeviceIndex(card: 0, device: 1)), b)
        XCTAssertEqual(map.mac(for: try DeviceIndex(card: 1, device: 1)), c)
        XCTAssertEqual(map.mac(for: .primary), a)
        XCTAssertNil(map.mac(for: try DeviceIndex(card: 0, device: 9)))
    }
}
