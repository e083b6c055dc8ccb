import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// The rtnetlink dump decoders against replies recorded from a kernel
/// (RecordedKernelDumps), and the dump requests byte for byte.
final class KernelDumpTests: XCTestCase {
    typealias D = RecordedKernelDumps

    static func replies(_ datagrams: [[UInt8]]) -> [NetlinkReply] { datagrams.flatMap(NetlinkReply.split) }

    func testLinks() throws {
        let links = KernelDumpTests.replies(D.linkDump).compactMap(KernelDumpDecoder.link)
        XCTAssertEqual(links.map(\.name), ["lo", "peer1", "eth1"])
        let eth1 = try XCTUnwrap(links.first { $0.name == "eth1" })
        XCTAssertEqual(eth1.mac, try MACAddress(parsing: "02:00:00:00:00:02"))
        XCTAssertEqual(eth1.altNames, ["eni-0123456789abcdef0"])
        XCTAssertEqual(links.first?.mac, try MACAddress(parsing: "00:00:00:00:00:00"), "lo's all-zero address")
        XCTAssertEqual(Set(links.map(\.index)).count, 3)
    }

    func testAddresses() throws {
        let links = KernelDumpTests.replies(D.linkDump).compactMap(KernelDumpDecoder.link)
        let eth1 = try XCTUnwrap(links.first { $0.name == "eth1" }).index
        let addresses = KernelDumpTests.replies(D.addressDump).compactMap(KernelDumpDecoder.address)
        let onEth1 = addresses.filter { $0.interfaceIndex == eth1 }.map(\.address.description)
        XCTAssertEqual(Array(onEth1.prefix(3)), ["10.0.0.20/24", "10.0.0.21/32", "2600:1f18::5/128"])
        XCTAssertTrue(addresses.contains(KernelSnapshot.Address(interfaceIndex: 1, address: prefix("127.0.0.1/8"))))
        XCTAssertTrue(addresses.contains(KernelSnapshot.Address(interfaceIndex: 1, address: prefix("::1/128"))))
    }

    func testRules() {
        let v4 = KernelDumpTests.replies(D.ipv4RuleDump).compactMap(KernelDumpDecoder.rule)
        XCTAssertEqual(v4.map(\.description), [
            "from all lookup 255 priority 0",
            "from 10.0.0.20/32 lookup 10001 priority 10001",
            "from 10.0.1.16/28 lookup 10001 priority 10001",
            "from 10.9.9.9/32 lookup 77 priority 10500",
            "from all lookup 254 priority 32766",
            "from all lookup 253 priority 32767",
        ])
        XCTAssertTrue(v4.allSatisfy { $0.family == .ipv4 })
        let v6 = KernelDumpTests.replies(D.ipv6RuleDump).compactMap(KernelDumpDecoder.rule)
        XCTAssertEqual(v6.map(\.description), ["from all lookup 255 priority 0", "from 2600:1f18::5/128 lookup 10001 priority 10001",
                                               "from all lookup 254 priority 32766"])
    }

    /// Rules `ip rule add` made look exactly like the ones a generated file asks for.
    func testRulesOfEC2NetsShape() {
        let shaped = KernelDumpTests.replies(D.ipv4RuleDump + D.ipv6RuleDump).compactMap(KernelDumpDecoder.rule).filter(\.hasEC2NetShape)
        XCTAssertEqual(shaped, [PolicyRule(source: "10.0.0.20", table: 10001)!, PolicyRule(source: "10.0.1.16/28", table: 10001)!,
                                PolicyRule(source: "2600:1f18::5", table: 10001)!])
    }

    func testRoutes() throws {
        let eth1 = try XCTUnwrap(KernelDumpTests.replies(D.linkDump).compactMap(KernelDumpDecoder.link).first { $0.name == "eth1" }).index
        let v4 = KernelDumpTests.replies(D.ipv4RouteDump).compactMap(KernelDumpDecoder.route)
        XCTAssertEqual(v4.count, 10)
        XCTAssertEqual(v4.filter { $0.table != 255 }, [
            KernelSnapshot.Route(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: eth1, metric: 0, gateway: prefix("10.0.0.1")),
            KernelSnapshot.Route(family: .ipv4, table: 10001, destination: prefix("10.0.0.0/24"), interfaceIndex: eth1, metric: 0),
            KernelSnapshot.Route(family: .ipv4, table: 254, destination: ipv4Default, interfaceIndex: eth1, metric: 513, gateway: prefix("10.0.0.1")),
            KernelSnapshot.Route(family: .ipv4, table: 254, destination: prefix("10.0.0.0/24"), interfaceIndex: eth1, metric: 0),
        ])
        XCTAssertTrue(v4.contains { $0.table == 255 && $0.destination == prefix("10.0.0.21/32") && $0.type == 2 })
        let v6 = KernelDumpTests.replies(D.ipv6RouteDump).compactMap(KernelDumpDecoder.route)
        XCTAssertTrue(v6.allSatisfy { $0.family == .ipv6 })
        XCTAssertTrue(v6.contains { $0.table == 254 && $0.destination == prefix("fe80::/64") && $0.interfaceIndex == eth1 })
    }

    func testTruncatedMessagesDecodeToNil() {
        let short = NetlinkReply(type: RTNetlink.MessageType.newRoute, flags: 0, sequence: 1, payload: [2, 0, 0])
        XCTAssertNil(KernelDumpDecoder.route(short))
        XCTAssertNil(KernelDumpDecoder.rule(NetlinkReply(type: RTNetlink.MessageType.newRule, flags: 0, sequence: 1, payload: [])))
        XCTAssertNil(KernelDumpDecoder.link(NetlinkReply(type: RTNetlink.MessageType.newLink, flags: 0, sequence: 1, payload: [0, 0])))
        // An AF_INET source of the wrong size is not an address.
        XCTAssertNil(KernelDumpDecoder.ruleSource(family: UInt8(AF_INET), bytes: [10, 0, 0], length: 24))
    }

    // MARK: requests and the whole snapshot over a replaying transport

    /// Answers each dump request with the recorded datagrams, renumbered to its sequence.
    static func replaying(_ t: NetlinkMessageTests.MockTransport) {
        t.onSend = { request in
            let seq = NetlinkMessageTests.sequence(of: request)
            let type = HostOrder.read(UInt16.self, request, at: 4), family = Int32(request[16])
            let recorded: [[UInt8]]
            switch (type, family) {
            case (18, _): recorded = D.linkDump
            case (22, _): recorded = D.addressDump
            case (34, AF_INET): recorded = D.ipv4RuleDump
            case (34, _): recorded = D.ipv6RuleDump
            case (26, AF_INET): recorded = D.ipv4RouteDump
            default: recorded = D.ipv6RouteDump
            }
            return recorded.map { renumbered($0, seq) }
        }
    }

    static func renumbered(_ datagram: [UInt8], _ seq: UInt32) -> [UInt8] {
        var d = datagram, i = 0
        while i + 16 <= d.count {
            withUnsafeBytes(of: seq) { for k in 0..<4 { d[i + 8 + k] = $0[k] } }
            i += (Int(HostOrder.read(UInt32.self, d, at: i)) + 3) & ~3
        }
        return d
    }

    func testDumpRequestBytes() {
        let m = NetlinkKernelState.dumpRequest(type: 34, header: RuleMessage(family: UInt8(AF_INET6)), sequence: 9)
        XCTAssertEqual(m.bytes, [28, 0, 0, 0, 34, 0, 0x01, 0x03, 9, 0, 0, 0, 0, 0, 0, 0,
                                 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let link = NetlinkKernelState.dumpRequest(type: 18, header: InterfaceInfoMessage(family: UInt8(AF_UNSPEC)), sequence: 2)
        XCTAssertEqual(link.bytes.count, 32)
        XCTAssertEqual(Array(link.bytes[16...]), [UInt8](repeating: 0, count: 16))
    }

    func testSnapshotOverRecordedReplies() throws {
        let t = NetlinkMessageTests.MockTransport()
        KernelDumpTests.replaying(t)
        let s = try NetlinkKernelState(channel: NetlinkChannel(transport: t)).snapshot()
        // links, addresses, then rules and routes per family: six dumps, each a request of its own.
        XCTAssertEqual(t.sent.map { HostOrder.read(UInt16.self, $0, at: 4) }, [18, 22, 34, 26, 34, 26])
        XCTAssertEqual(t.sent.map { $0[16] }, [0, 0, 2, 2, 10, 10])
        XCTAssertEqual(s.links.count, 3)
        XCTAssertEqual(s.rules.count, 9)
        XCTAssertEqual(s.preferredDefault(.ipv4)?.metric, 513)
        XCTAssertEqual(s.preferredDefault(.ipv4)?.interfaceIndex, s.link(named: "eth1")?.index)
        XCTAssertTrue(s.holds(.rule(PolicyRule(source: "10.0.1.16/28", table: 10001)!), interfaceIndex: 0))
        XCTAssertTrue(s.holds(.tableRoute(.ipv4, destination: prefix("10.0.0.0/24"), table: 10001), interfaceIndex: s.link(named: "eth1")!.index))
        XCTAssertFalse(s.holds(.tableRoute(.ipv4, destination: prefix("10.0.0.0/24"), table: 10001), interfaceIndex: 1))
    }

    func testRuleTableOverRecordedReplies() throws {
        let t = NetlinkMessageTests.MockTransport()
        KernelDumpTests.replaying(t)
        let all = try PolicyRuleTable(channel: NetlinkChannel(transport: t)).rules()
        XCTAssertEqual(all.count, 9)
        XCTAssertEqual(all.filter(\.hasEC2NetShape).compactMap { $0.source?.description }, ["10.0.0.20/32", "10.0.1.16/28", "2600:1f18::5/128"])
        XCTAssertEqual(t.sent, [NetlinkKernelState.dumpRequest(type: 34, header: RuleMessage(family: UInt8(AF_INET)), sequence: 2).bytes,
                                NetlinkKernelState.dumpRequest(type: 34, header: RuleMessage(family: UInt8(AF_INET6)), sequence: 3).bytes])
    }

    func testDefaultRoutesReaderOverRecordedReplies() throws {
        let t = NetlinkMessageTests.MockTransport()
        KernelDumpTests.replaying(t)
        let best = try DefaultRoutes(channel: NetlinkChannel(transport: t)).preferred(family: .ipv4)
        XCTAssertEqual(best?.metric, 513)
        XCTAssertNil(try DefaultRoutes(channel: NetlinkChannel(transport: t)).preferred(family: .ipv6),
                     "no IPv6 default route was set up")
    }
}

/// Test models write prefixes as `ip route` prints them; parsed here, once.
func prefix(_ text: String) -> RuleSource { RuleSource(parsing: Substring(text))! }
let ipv4Default = KernelSnapshot.Route.defaultDestination(.ipv4)
