import Foundation
import Glibc
import XCTest
@testable import EC2NetSystem
import EC2NetCore

/// Inputs found by the libFuzzer targets in fuzz/ (`make fuzz`), reduced to
/// the smallest case.
final class FuzzRegressionTests: XCTestCase {
    /// Replays canned datagrams, each stamped with the request's sequence.
    final class Replay: NetlinkTransport {
        var datagrams: [[UInt8]]
        var sequence: UInt32 = 0
        init(_ datagrams: [[UInt8]]) { self.datagrams = datagrams }
        func send(_ bytes: [UInt8]) throws(NetlinkError) { sequence = HostOrder.read(UInt32.self, bytes, at: 8) }
        func receive() throws(NetlinkError) -> [UInt8] {
            guard !datagrams.isEmpty else { throw .socket(errno: EAGAIN) }
            var d = datagrams.removeFirst()
            withUnsafeBytes(of: sequence) { for k in 0..<4 { d[8 + k] = $0[k] } }
            return d
        }
    }

    /// nlmsghdr (length, type, flags, seq 0, port 0) + payload.
    static func message(type: UInt16, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt32(16 + payload.count)) { out += $0 }
        withUnsafeBytes(of: type) { out += $0 }
        withUnsafeBytes(of: UInt16(0)) { out += $0 }
        out += [UInt8](repeating: 0, count: 8)
        return out + payload
    }

    /// fuzz-netlink (crash-76557b8d): an NLMSG_ERROR whose error field is
    /// Int32.min (0x80000000) trapped in NetlinkChannel: `-code` overflows
    /// (NetlinkSocket.swift, `throw .kernel(errno: -code, ...)`). The kernel
    /// sends only small negative errnos, but a reply is outside input: a
    /// bad one must be an error, not a crash of ec2-plug.
    func testNetlinkErrorCodeInt32MinDoesNotTrap() {
        var payload: [UInt8] = [0x00, 0x00, 0x00, 0x80] // error = Int32.min, little-endian
        payload += [UInt8](repeating: 0, count: 16)       // the echoed request header
        let t = Replay([FuzzRegressionTests.message(type: RTNetlink.MessageType.error, payload: payload)])
        let channel = NetlinkChannel(transport: t)
        let request = NetlinkMessage(type: 34, flags: RTNetlink.Flag.request | RTNetlink.Flag.dump,
                                     sequence: channel.nextSequence())
        XCTAssertThrowsError(try channel.dump(request, operation: "list rules")) { error in
            guard case .kernel = error as? NetlinkError else { return XCTFail("\(error)") }
        }
    }

    // MARK: HTTPResponseParser: the outcome must not depend on read boundaries

    /// The response, or nil when the parser refused the bytes; fed in the
    /// given reads, then EOF.
    static func outcome(_ reads: [[UInt8]]) -> HTTPResponse? {
        var p = HTTPResponseParser()
        do {
            for r in reads { if let response = try p.feed(r) { return response } }
            return try p.finish()
        } catch {
            return nil
        }
    }

    static func cut(_ s: [UInt8], at k: Int) -> [[UInt8]] { [Array(s[..<k]), Array(s[k...])] }

    /// fuzz-http, property http-early-failure: decodeChunked() checks the
    /// 64-byte cap on a chunk-size line only while the line's CRLF has not
    /// arrived ("chunk size line too long"), so a size line with a long
    /// extension (`1;` + 70 bytes) is accepted in one read and refused when
    /// a read ends inside it. TCP decides where reads end.
    func testChunkExtensionLimitDoesNotDependOnReads() {
        let head = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let bytes = head + Array(("1;" + String(repeating: "x", count: 70) + "\r\nA\r\n0\r\n\r\n").utf8)
        let whole = FuzzRegressionTests.outcome([bytes])
        let split = FuzzRegressionTests.outcome(FuzzRegressionTests.cut(bytes, at: head.count + 68))
        XCTAssertEqual(split, whole, "one read: \(String(describing: whole?.text)), two reads: \(String(describing: split?.text))")
    }

    /// fuzz-http, property http-early-failure: the same for the trailer cap
    /// (maxHeaderBytes) after the last chunk: 20 KB of trailer lines pass
    /// in one read and are refused (tooLarge) when a read ends after 16 KB.
    func testTrailerLimitDoesNotDependOnReads() {
        let head = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n".utf8)
        let trailers = String(repeating: "X-T: " + String(repeating: "a", count: 1000) + "\r\n", count: 20) + "\r\n"
        let bytes = head + Array(trailers.utf8)
        let whole = FuzzRegressionTests.outcome([bytes])
        let split = FuzzRegressionTests.outcome(FuzzRegressionTests.cut(bytes, at: 18146))
        XCTAssertEqual(split, whole, "one read: \(String(describing: whole?.text)), two reads: \(String(describing: split?.text))")
    }

    // MARK: HTTPURL

    /// fuzz-config, property url-roundtrip (crash-477f78e4, from
    /// `Endpoint=http://[[IMDS]`): HTTPURL takes whatever sits between `[`
    /// and the first `]` as the host, so `http://[[IMDS]` gives host
    /// `[IMDS`, whose description `http://[IMDS` no longer parses, and
    /// `http://[imds]` gives a bracketed name. A bracketed host should be an
    /// IPv6 literal, and a plain host should hold no bracket; anything else
    /// is a configuration error (exit 78), not an unreachable IMDS (75).
    func testBracketedHostIsAnIPv6Address() {
        for text in ["http://[[IMDS]", "http://[imds]", "http://[]]", "http://a[b", "http://a]b:80", "http://[1.2.3.4]"] {
            XCTAssertThrowsError(try HTTPURL(parsing: text), text)
        }
        for text in ["http://[fd00:ec2::254]", "http://[::1]:8080/x", "http://169.254.169.254", "http://imds.local:80"] {
            guard let url = try? HTTPURL(parsing: text) else { XCTFail(text); continue }
            XCTAssertEqual(try? HTTPURL(parsing: url.description), url, text)
        }
    }
}
