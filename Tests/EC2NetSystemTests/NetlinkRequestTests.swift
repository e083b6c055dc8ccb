import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// The requests ec2net sends, byte for byte (worked out from linux/netlink.h,
/// linux/rtnetlink.h and linux/fib_rules.h), and what it reads from the
/// kernel's answers, against replies recorded from a real kernel
/// (RecordedKernelDumps). Little-endian, as every EC2 instance type is.
final class NetlinkRequestTests: XCTestCase {
    private typealias D = RecordedKernelDumps

    /// `ip rule del from 10.0.0.20 lookup 10001 priority 10001`, as ec2net sends it.
    func testDeleteRuleBytesIPv4() {
        let rule = PolicyRule(source: .ipv4(IPv4CIDR(address: IPv4Address(0x0a00_0014), prefixLength: 32)), table: 10001)
        var expected: [UInt8] = []
        expected += [52, 0, 0, 0]          // nlmsg_len: 16 + 12 + 3 x 8
        expected += [33, 0]                // RTM_DELRULE
        expected += [0x05, 0]              // NLM_F_REQUEST | NLM_F_ACK
        expected += [9, 0, 0, 0, 0, 0, 0, 0]
        expected += [2, 0, 32, 0]          // fib_rule_hdr: AF_INET, dst_len 0, src_len 32, tos
        expected += [0, 0, 0, 1]           // table (in FRA_TABLE), res1, res2, action FR_ACT_TO_TBL
        expected += [0, 0, 0, 0]           // flags
        expected += [8, 0, 2, 0, 10, 0, 0, 20]        // FRA_SRC 10.0.0.20, network order
        expected += [8, 0, 6, 0, 0x11, 0x27, 0, 0]    // FRA_PRIORITY 10001
        expected += [8, 0, 15, 0, 0x11, 0x27, 0, 0]   // FRA_TABLE 10001
        XCTAssertEqual(PolicyRuleTable.deleteMessage(rule, sequence: 9).bytes, expected)
    }

    func testDeleteRuleBytesIPv6Prefix() throws {
        let rule = try XCTUnwrap(PolicyRule(source: "2600:1f18:0:2:b000::/80", table: 10101))
        let bytes = PolicyRuleTable.deleteMessage(rule, sequence: 1).bytes
        XCTAssertEqual(bytes.count, 16 + 12 + 20 + 8 + 8)
        XCTAssertEqual(Array(bytes[16..<20]), [10, 0, 80, 0], "AF_INET6, src_len 80")
        XCTAssertEqual(Array(bytes[28..<32]), [20, 0, 2, 0], "FRA_SRC carries all 16 bytes")
        XCTAssertEqual(Array(bytes[32..<48]), [0x26, 0x00, 0x1f, 0x18, 0, 0, 0, 2, 0xb0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// Every rule ec2net may delete carries its source: a rule from a file
    /// goes out as RTM_DELRULE and decodes back (as the kernel would list
    /// it) to the same rule.
    func testDeleteRequestRoundTrips() throws {
        for text in ["10.0.0.20", "10.0.1.16/28", "2600:1f18::5", "2600:1f18:0:2:b000::/80"] {
            let rule = try XCTUnwrap(PolicyRule(source: Substring(text), table: 10001))
            let m = PolicyRuleTable.deleteMessage(rule, sequence: 1).bytes
            let reply = NetlinkReply(type: RTNetlink.MessageType.newRule, flags: 0, sequence: 1, payload: Array(m[16...]))
            XCTAssertEqual(KernelDumpDecoder.rule(reply), rule, text)
        }
    }

    /// RTM_GETLINK by altname (IFLA_ALT_IFNAME), as `ip link show eni-…` sends it.
    func testGetLinkByAltNameBytes() {
        var expected: [UInt8] = []
        expected += [60, 0, 0, 0, 18, 0, 0x01, 0, 4, 0, 0, 0, 0, 0, 0, 0]  // nlmsghdr: RTM_GETLINK, REQUEST, seq 4
        expected += [UInt8](repeating: 0, count: 16)                        // ifinfomsg: AF_UNSPEC, index 0
        expected += [26, 0, 53, 0] + Array("eni-0123456789abcdef0".utf8) + [0, 0, 0]  // IFLA_ALT_IFNAME, NUL, pad
        XCTAssertEqual(AltNames.lookupMessage(altName: "eni-0123456789abcdef0", sequence: 4).bytes, expected)
    }

    /// The kernel answers a GETLINK with one RTM_NEWLINK; ec2net reads the
    /// holder's index from its ifinfomsg (recorded: eth1 holds the altname).
    func testAltNameHolderFromARecordedReply() throws {
        let eth1 = try XCTUnwrap(KernelDumpTests.replies(D.linkDump).first { KernelDumpDecoder.link($0)?.name == "eth1" })
        let header = try XCTUnwrap(eth1.header(InterfaceInfoMessage.self))
        XCTAssertEqual(Int(header.index), KernelDumpDecoder.link(eth1)?.index)
        let t = NetlinkMessageTests.MockTransport()
        t.onSend = { request in
            let seq = NetlinkMessageTests.sequence(of: request)
            var m = NetlinkMessage(type: eth1.type, flags: 0, sequence: seq, header: header)
            for a in eth1.attributes(after: InterfaceInfoMessage.self) { m.attribute(a.type, a.value) }
            return [m.bytes]
        }
        XCTAssertEqual(try AltNames(channel: NetlinkChannel(transport: t)).index(ofAltName: "eni-0123456789abcdef0"),
                       UInt32(header.index))
    }

    func testFixedHeadersRoundTrip() {
        var r = RouteMessage(family: 10)
        r.destinationLength = 64; r.table = 254; r.type = 1; r.flags = 0x0102_0304
        XCTAssertEqual(RouteMessage(decoding: r.encoded), r)
        XCTAssertEqual(r.encoded.count, RouteMessage.size)
        var i = InterfaceInfoMessage(family: 0, index: -2)
        i.flags = 0x1003
        XCTAssertEqual(InterfaceInfoMessage(decoding: i.encoded), i)
        XCTAssertEqual(RuleMessage(decoding: RuleMessage(family: 2, sourceLength: 28).encoded)?.sourceLength, 28)
        var a = AddressMessage(family: 2)
        a.prefixLength = 24; a.index = 7
        XCTAssertEqual(AddressMessage(decoding: a.encoded), a)
        XCTAssertNil(RouteMessage(decoding: [1, 2, 3]))
    }
}
