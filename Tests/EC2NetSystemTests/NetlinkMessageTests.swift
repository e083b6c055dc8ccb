import Glibc
import XCTest
@testable import EC2NetSystem

/// Netlink is host byte order; the expected bytes below are little-endian
/// (x86_64, aarch64), as every EC2 instance type is.
final class NetlinkMessageTests: XCTestCase {
    /// RTM_NEWLINKPROP for `ip link property add dev <ifindex 3> altname eni-0123456789abcdef0`,
    /// worked out from linux/netlink.h and linux/rtnetlink.h.
    func testAltNameMessageBytes() {
        let name = Array("eni-0123456789abcdef0".utf8) // 21 bytes
        var expected: [UInt8] = []
        // struct nlmsghdr (16 bytes)
        expected += [64, 0, 0, 0]          // nlmsg_len: 16 + 16 + 32
        expected += [108, 0]               // nlmsg_type: RTM_NEWLINKPROP
        expected += [0x05, 0x0e]           // nlmsg_flags: REQUEST 0x1 | ACK 0x4 | EXCL 0x200 | CREATE 0x400 | APPEND 0x800
        expected += [7, 0, 0, 0]           // nlmsg_seq
        expected += [0, 0, 0, 0]           // nlmsg_pid
        // struct ifinfomsg (16 bytes)
        expected += [0, 0]                 // ifi_family AF_UNSPEC, pad
        expected += [0, 0]                 // ifi_type
        expected += [3, 0, 0, 0]           // ifi_index
        expected += [0, 0, 0, 0]           // ifi_flags
        expected += [0, 0, 0, 0]           // ifi_change
        // struct nlattr IFLA_PROP_LIST | NLA_F_NESTED, length covers the padded child
        expected += [32, 0, 0x34, 0x80]
        // struct nlattr IFLA_ALT_IFNAME, length 4 + 22 (name + NUL), padded to 28
        expected += [26, 0, 53, 0]
        expected += name + [0]
        expected += [0, 0]
        XCTAssertEqual(expected.count, 64)

        let m = AltNames.message(interfaceIndex: 3, altName: "eni-0123456789abcdef0", sequence: 7)
        XCTAssertEqual(m.bytes, expected)
    }

    func testAltNameMessageWithOtherPadding() {
        // "device-number-1.0": 17 bytes + NUL = 18, attribute 22, padded 24; nest 28; total 60.
        let m = AltNames.message(interfaceIndex: 0x0102_0304, altName: "device-number-1.0", sequence: 0xdead_beef)
        XCTAssertEqual(m.bytes.count, 60)
        XCTAssertEqual(Array(m.bytes[0..<4]), [60, 0, 0, 0])
        XCTAssertEqual(Array(m.bytes[8..<12]), [0xef, 0xbe, 0xad, 0xde])
        XCTAssertEqual(Array(m.bytes[20..<24]), [4, 3, 2, 1])
        XCTAssertEqual(Array(m.bytes[32..<36]), [28, 0, 0x34, 0x80])
        XCTAssertEqual(Array(m.bytes[36..<40]), [22, 0, 53, 0])
        XCTAssertEqual(Array(m.bytes[40..<57]), Array("device-number-1.0".utf8))
        XCTAssertEqual(Array(m.bytes[57..<60]), [0, 0, 0])
    }

    func testMessageBuilderAttributes() {
        var m = NetlinkMessage(type: 20, flags: RTNetlink.Flag.request | RTNetlink.Flag.dump, sequence: 1)
        XCTAssertEqual(m.bytes.count, 16)
        XCTAssertEqual(Array(m.bytes[0..<8]), [16, 0, 0, 0, 20, 0, 0x01, 0x03])
        m.attribute(1, uint32: 0x0a0b_0c0d)
        XCTAssertEqual(Array(m.bytes[16...]), [8, 0, 1, 0, 0x0d, 0x0c, 0x0b, 0x0a])
        m.attribute(2, [0xaa])
        XCTAssertEqual(Array(m.bytes[24...]), [5, 0, 2, 0, 0xaa, 0, 0, 0])
        XCTAssertEqual(m.bytes.count, 32)
        XCTAssertEqual(Array(m.bytes[0..<4]), [32, 0, 0, 0])
    }

    // MARK: replies

    static func header(length: Int, type: UInt16, flags: UInt16 = 0, sequence: UInt32, pid: UInt32 = 0) -> [UInt8] {
        le32(UInt32(length)) + le16(type) + le16(flags) + le32(sequence) + le32(pid)
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }

    /// NLMSG_ERROR carrying `code` (0 = ACK) and the request's header.
    static func errorReply(code: Int32, sequence: UInt32) -> [UInt8] {
        let request = header(length: 64, type: 108, flags: 0x0e05, sequence: sequence)
        return header(length: 16 + 4 + 16, type: RTNetlink.MessageType.error, sequence: sequence)
            + le32(UInt32(bitPattern: code)) + request
    }

    static func message(type: UInt16, sequence: UInt32, payload: [UInt8]) -> [UInt8] {
        var out = header(length: 16 + payload.count, type: type, sequence: sequence) + payload
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    func testSplitSeveralMessagesWithPadding() {
        let a = NetlinkMessageTests.message(type: 16, sequence: 5, payload: [1, 2, 3]) // 19 bytes, padded to 20
        let b = NetlinkMessageTests.message(type: RTNetlink.MessageType.done, sequence: 5, payload: [0, 0, 0, 0])
        let replies = NetlinkReply.split(a + b)
        XCTAssertEqual(replies.count, 2)
        XCTAssertEqual(replies[0].type, 16)
        XCTAssertEqual(replies[0].sequence, 5)
        XCTAssertEqual(replies[0].payload, [1, 2, 3])
        XCTAssertNil(replies[0].errorCode)
        XCTAssertEqual(replies[1].type, RTNetlink.MessageType.done)
    }

    func testSplitStopsAtMalformedLengths() {
        let good = NetlinkMessageTests.message(type: 16, sequence: 1, payload: [])
        XCTAssertEqual(NetlinkReply.split([]).count, 0)
        XCTAssertEqual(NetlinkReply.split(Array(good.prefix(15))).count, 0)
        // A length past the end of the datagram.
        XCTAssertEqual(NetlinkReply.split(good + NetlinkMessageTests.header(length: 100, type: 16, sequence: 2)).count, 1)
        // A length below the header size would loop forever if accepted.
        XCTAssertEqual(NetlinkReply.split(NetlinkMessageTests.header(length: 4, type: 16, sequence: 2) + good).count, 0)
    }

    func testErrorCode() {
        let ack = NetlinkReply.split(NetlinkMessageTests.errorReply(code: 0, sequence: 9))
        XCTAssertEqual(ack.first?.errorCode, 0)
        let eexist = NetlinkReply.split(NetlinkMessageTests.errorReply(code: -EEXIST, sequence: 9))
        XCTAssertEqual(eexist.first?.errorCode, -EEXIST)
        XCTAssertEqual(eexist.first?.sequence, 9)
    }

    func testAttributes() {
        // ifinfomsg (16 bytes), IFLA_IFNAME "eth1", a nested IFLA_PROP_LIST { IFLA_ALT_IFNAME "eni-1a2b3c4d" }
        var payload = [UInt8](repeating: 0, count: 16)
        payload += [9, 0, 3, 0] + Array("eth1".utf8) + [0, 0, 0, 0]                 // len 9, padded to 12
        let inner: [UInt8] = [17, 0, 53, 0] + Array("eni-1a2b3c4d".utf8) + [0] + [0, 0, 0]  // len 17, padded to 20
        payload += [24, 0, 0x34, 0x80] + inner
        payload += [3, 0]                                                              // truncated attribute: ignored
        let reply = NetlinkReply(type: 16, flags: 0, sequence: 1, payload: payload)
        let attrs = reply.attributes(after: 16)
        XCTAssertEqual(attrs.count, 2)
        XCTAssertEqual(attrs[0].type, 3)
        XCTAssertEqual(attrs[0].value, Array("eth1".utf8) + [0])
        XCTAssertEqual(attrs[1].type, 52, "NLA_F_NESTED is masked off")
        let nested = NetlinkReply.attributes(in: attrs[1].value, from: 0)
        XCTAssertEqual(nested.count, 1)
        XCTAssertEqual(nested[0].type, 53)
        XCTAssertEqual(nested[0].value, Array("eni-1a2b3c4d".utf8) + [0])
    }

    // MARK: channel over a mock transport

    final class MockTransport: NetlinkTransport {
        var sent: [[UInt8]] = []
        var replies: [[UInt8]] = []
        /// Called on send to script replies from the request.
        var onSend: (([UInt8]) -> [[UInt8]])? = nil

        func send(_ bytes: [UInt8]) throws(NetlinkError) {
            sent.append(bytes)
            if let onSend { replies += onSend(bytes) }
        }

        func receive() throws(NetlinkError) -> [UInt8] {
            guard !replies.isEmpty else { throw .socket(errno: EAGAIN) }
            return replies.removeFirst()
        }
    }

    static func sequence(of request: [UInt8]) -> UInt32 { HostOrder.read(UInt32.self, request, at: 8) }

    func testAcknowledgeSendsTheBytesAndReturnsOnACK() throws {
        let t = MockTransport()
        t.onSend = { [NetlinkMessageTests.errorReply(code: 0, sequence: NetlinkMessageTests.sequence(of: $0))] }
        let channel = NetlinkChannel(transport: t)
        let seq = channel.nextSequence()
        let m = AltNames.message(interfaceIndex: 3, altName: "eni-0123456789abcdef0", sequence: seq)
        try channel.acknowledge(m, operation: "add altname")
        XCTAssertEqual(t.sent, [m.bytes])
        XCTAssertTrue(t.replies.isEmpty)
    }

    func testAcknowledgeReportsKernelErrors() {
        let t = MockTransport()
        t.onSend = { [NetlinkMessageTests.errorReply(code: -EEXIST, sequence: NetlinkMessageTests.sequence(of: $0))] }
        let channel = NetlinkChannel(transport: t)
        let m = AltNames.message(interfaceIndex: 3, altName: "eni-0123456789abcdef0", sequence: channel.nextSequence())
        XCTAssertThrowsError(try channel.acknowledge(m, operation: "add altname x")) { error in
            XCTAssertEqual(error as? NetlinkError, .kernel(errno: EEXIST, operation: "add altname x"))
            XCTAssertEqual((error as? NetlinkError)?.errnoValue, EEXIST)
        }
    }

    func testAcknowledgeSkipsRepliesToOtherRequests() throws {
        let t = MockTransport()
        t.onSend = { request in
            let seq = NetlinkMessageTests.sequence(of: request)
            return [
                // A stale error for an earlier request, then a datagram with an unrelated message and our ACK.
                NetlinkMessageTests.errorReply(code: -ENODEV, sequence: seq &- 1),
                NetlinkMessageTests.message(type: 16, sequence: 0, payload: [0, 0, 0, 0])
                    + NetlinkMessageTests.errorReply(code: 0, sequence: seq),
            ]
        }
        let channel = NetlinkChannel(transport: t)
        try channel.acknowledge(AltNames.message(interfaceIndex: 2, altName: "x", sequence: channel.nextSequence()), operation: "op")
        XCTAssertTrue(t.replies.isEmpty)
    }

    func testTransportErrorsPropagate() {
        let t = MockTransport() // no replies: receive fails
        let channel = NetlinkChannel(transport: t)
        XCTAssertThrowsError(try channel.acknowledge(AltNames.message(interfaceIndex: 2, altName: "x", sequence: 5), operation: "op")) {
            XCTAssertEqual($0 as? NetlinkError, .socket(errno: EAGAIN))
        }
    }

    func testSequenceNumbersIncrease() {
        let channel = NetlinkChannel(transport: MockTransport())
        let a = channel.nextSequence()
        let b = channel.nextSequence()
        XCTAssertEqual(b, a + 1)
    }

    func testDumpCollectsUntilDone() throws {
        let t = MockTransport()
        t.onSend = { request in
            let seq = NetlinkMessageTests.sequence(of: request)
            return [
                NetlinkMessageTests.message(type: 16, sequence: seq, payload: [1, 0, 0, 0])
                    + NetlinkMessageTests.message(type: 16, sequence: seq, payload: [2, 0, 0, 0]),
                NetlinkMessageTests.message(type: 16, sequence: seq &+ 100, payload: [9, 0, 0, 0])
                    + NetlinkMessageTests.message(type: 16, sequence: seq, payload: [3, 0, 0, 0])
                    + NetlinkMessageTests.message(type: RTNetlink.MessageType.done, sequence: seq, payload: [0, 0, 0, 0]),
            ]
        }
        let channel = NetlinkChannel(transport: t)
        let request = NetlinkMessage(type: 18, flags: RTNetlink.Flag.request | RTNetlink.Flag.dump, sequence: channel.nextSequence())
        let replies = try channel.dump(request, operation: "dump links")
        XCTAssertEqual(replies.map { $0.payload[0] }, [1, 2, 3])
    }

    func testDumpReportsErrors() {
        let t = MockTransport()
        t.onSend = { [NetlinkMessageTests.errorReply(code: -EPERM, sequence: NetlinkMessageTests.sequence(of: $0))] }
        let channel = NetlinkChannel(transport: t)
        let request = NetlinkMessage(type: 34, flags: RTNetlink.Flag.request | RTNetlink.Flag.dump, sequence: channel.nextSequence())
        XCTAssertThrowsError(try channel.dump(request, operation: "dump rules")) {
            XCTAssertEqual($0 as? NetlinkError, .kernel(errno: EPERM, operation: "dump rules"))
        }
    }
}
