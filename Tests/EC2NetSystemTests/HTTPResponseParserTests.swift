import Foundation
import XCTest
@testable import EC2NetSystem

final class HTTPResponseParserTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Feeds `text` in one piece and expects a complete response.
    func parseWhole(_ text: String, bodyLimit: Int = 64 * 1024) throws -> HTTPResponse? {
        var p = HTTPResponseParser(bodyLimit: bodyLimit)
        return try p.feed(bytes(text))
    }

    func testContentLength() throws {
        let r = try XCTUnwrap(parseWhole("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nServer: EC2ws\r\n\r\n10.0.0.20"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "10.0.0.20")
        XCTAssertFalse(r.closesConnection)
        XCTAssertEqual(r.header("content-length"), "9")
        XCTAssertEqual(r.header("SERVER"), "EC2ws")
        XCTAssertNil(r.header("X-Missing"))
    }

    func testIncompleteUntilContentLengthReached() throws {
        var p = HTTPResponseParser()
        XCTAssertNil(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc")))
        let r = try XCTUnwrap(p.feed(bytes("de")))
        XCTAssertEqual(r.body, bytes("abcde"))
    }

    func testZeroLengthAndStatusesWithoutBody() throws {
        XCTAssertEqual(try parseWhole("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?.status, 404)
        XCTAssertEqual(try parseWhole("HTTP/1.1 204 No Content\r\n\r\n")?.body, [])
        XCTAssertEqual(try parseWhole("HTTP/1.1 304 Not Modified\r\n\r\n")?.closesConnection, false)
    }

    func testConnectionHeaders() throws {
        XCTAssertEqual(try parseWhole("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx")?.closesConnection, true)
        XCTAssertEqual(try parseWhole("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 1\r\n\r\nx")?.closesConnection, true)
        XCTAssertEqual(try parseWhole("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")?.closesConnection, true)
        XCTAssertEqual(try parseWhole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx")?.closesConnection, false)
    }

    func testChunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n10.0\r\n5\r\n.0.20\r\n0\r\n\r\n"
        let r = try XCTUnwrap(parseWhole(text))
        XCTAssertEqual(r.text, "10.0.0.20")
        XCTAssertFalse(r.closesConnection)
    }

    func testChunkedWithExtensionsTrailersAndUpperCaseHex() throws {
        let text = "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
            + "A;name=value\r\n0123456789\r\n"
            + "1;ext\r\n!\r\n"
            + "0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n"
        let r = try XCTUnwrap(parseWhole(text))
        XCTAssertEqual(r.text, "0123456789!")
    }

    func testChunkedIncompleteUntilTheEmptyLine() throws {
        var p = HTTPResponseParser()
        XCTAssertNil(try p.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n")))
        XCTAssertNil(try p.feed(bytes("X-Trailer: 1\r\n")))
        XCTAssertEqual(try p.feed(bytes("\r\n"))?.text, "abc")
    }

    func testSplitAcrossManyFeeds() throws {
        let responses = [
            "HTTP/1.1 200 OK\r\nContent-Length: 17\r\nContent-Type: text/plain\r\n\r\n2600:1f18:0:1::20",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n",
        ]
        for text in responses {
            let all = bytes(text)
            // One byte at a time: complete exactly at the last byte.
            var p = HTTPResponseParser()
            for (k, b) in all.enumerated() {
                let r = try p.feed([b])
                if k < all.count - 1 { XCTAssertNil(r, "complete early at byte \(k) of \(OneLine(text))") }
                else { XCTAssertNotNil(r) }
            }
            // Every two-way split.
            for cut in 1..<all.count {
                var q = HTTPResponseParser()
                XCTAssertNil(try q.feed(all[..<cut]))
                XCTAssertNotNil(try q.feed(all[cut...]), "cut at \(cut)")
            }
        }
    }

    func testReadUntilClose() throws {
        var p = HTTPResponseParser()
        XCTAssertNil(try p.feed(bytes("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello ")))
        XCTAssertNil(try p.feed(bytes("world")))
        let r = try p.finish()
        XCTAssertEqual(r.text, "hello world")
        XCTAssertTrue(r.closesConnection)
    }

    func testReadUntilCloseEmptyBody() throws {
        var p = HTTPResponseParser()
        XCTAssertNil(try p.feed(bytes("HTTP/1.0 200 OK\r\n\r\n")))
        XCTAssertEqual(try p.finish().body, [])
    }

    func testOversizeBodies() {
        // Content-Length above the limit is refused at the header.
        var p = HTTPResponseParser(bodyLimit: 8)
        XCTAssertThrowsError(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"))) {
            XCTAssertEqual($0 as? HTTPError, .tooLarge(limit: 8))
        }
        // Chunked body growing past the limit.
        var c = HTTPResponseParser(bodyLimit: 8)
        XCTAssertThrowsError(try c.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\n"))) {
            XCTAssertEqual($0 as? HTTPError, .tooLarge(limit: 8))
        }
        // Read-until-close body growing past the limit, before the close.
        var u = HTTPResponseParser(bodyLimit: 8)
        XCTAssertThrowsError(try u.feed(bytes("HTTP/1.1 200 OK\r\n\r\n123456789"))) {
            XCTAssertEqual($0 as? HTTPError, .tooLarge(limit: 8))
        }
        // Headers that never end.
        var h = HTTPResponseParser()
        XCTAssertThrowsError(try h.feed(bytes("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: HTTPResponseParser.maxHeaderBytes + 1)))) {
            XCTAssertEqual($0 as? HTTPError, .tooLarge(limit: HTTPResponseParser.maxHeaderBytes))
        }
    }

    /// Trailers after the last chunk are capped like headers: a server that
    /// never sends the final empty line must not grow the buffer without bound.
    func testEndlessChunkedTrailersAreRefused() {
        var p = HTTPResponseParser(bodyLimit: 1024)
        var refused = false
        do {
            _ = try p.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"))
            let line = bytes("X-Trailer: " + String(repeating: "t", count: 1000) + "\r\n")
            // 256 KiB of trailers: far above the header cap and the body limit.
            for _ in 0..<256 {
                if try p.feed(line) != nil { return XCTFail("a response without the final CRLF") }
            }
        } catch {
            refused = true
        }
        XCTAssertTrue(refused, "256 KiB of trailers were buffered without an error")
    }

    func testBodyExactlyAtTheLimitIsAccepted() throws {
        XCTAssertEqual(try parseWhole("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678", bodyLimit: 8)?.text, "12345678")
        XCTAssertEqual(try parseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n0\r\n\r\n", bodyLimit: 8)?.text, "12345678")
    }

    func testBadContentLength() {
        for value in ["abc", "-1", "+5", "1 2", "0x10", "", "1234567890123"] {
            var p = HTTPResponseParser()
            XCTAssertThrowsError(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: \(value)\r\n\r\n")), value) { error in
                guard case .malformed? = error as? HTTPError else { return XCTFail("\(error)") }
            }
        }
    }

    func testConflictingContentLength() {
        var p = HTTPResponseParser()
        XCTAssertThrowsError(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"))) {
            XCTAssertEqual($0 as? HTTPError, .malformed("conflicting Content-Length headers"))
        }
        // The same value twice is harmless.
        XCTAssertEqual(try parseWhole("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")?.text, "abc")
        // Length and chunked together is a smuggling vector.
        var q = HTTPResponseParser()
        XCTAssertThrowsError(try q.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))) {
            XCTAssertEqual($0 as? HTTPError, .malformed("both Content-Length and chunked"))
        }
    }

    func testExtraBytesAfterBody() {
        var p = HTTPResponseParser()
        XCTAssertThrowsError(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcd"))) { error in
            guard case .malformed? = error as? HTTPError else { return XCTFail("\(error)") }
        }
    }

    func testTruncated() {
        var p = HTTPResponseParser()
        XCTAssertNil(try p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")))
        XCTAssertThrowsError(try p.finish()) { XCTAssertEqual($0 as? HTTPError, .truncated(expected: 10, received: 3)) }

        var c = HTTPResponseParser()
        XCTAssertNil(try c.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")))
        XCTAssertThrowsError(try c.finish()) { error in
            guard case .malformed? = error as? HTTPError else { return XCTFail("\(error)") }
        }

        var h = HTTPResponseParser()
        XCTAssertNil(try h.feed(bytes("HTTP/1.1 200 OK\r\nContent-Le")))
        XCTAssertThrowsError(try h.finish()) { error in
            guard case .malformed? = error as? HTTPError else { return XCTFail("\(error)") }
        }

        var empty = HTTPResponseParser()
        XCTAssertThrowsError(try empty.finish()) { XCTAssertEqual($0 as? HTTPError, .closed) }
    }

    func testGarbageStatusLine() {
        for line in ["garbage", "HTTP/1.1", "HTTP/1.1 2000 OK", "HTTP/1.1 20 OK", "HTTP/2 200 OK", "HTTP/1.1 abc OK",
                     "http/1.1 200 OK", "HTTP/1.1 099 Low", "SSH-2.0-OpenSSH_9.6", " HTTP/1.1 200 OK"] {
            var p = HTTPResponseParser()
            XCTAssertThrowsError(try p.feed(bytes(line + "\r\nContent-Length: 0\r\n\r\n")), line) { error in
                guard case .malformed? = error as? HTTPError else { return XCTFail("\(line): \(error)") }
            }
        }
    }

    func testStatusLineWithoutReasonPhrase() throws {
        XCTAssertEqual(try parseWhole("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")?.status, 200)
    }

    func testBadHeadersAndChunks() {
        let bad = [
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nab\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 70),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nextra",
        ]
        for text in bad {
            var p = HTTPResponseParser()
            XCTAssertThrowsError(try p.feed(bytes(text)), OneLine(text).description) { error in
                guard case .malformed? = error as? HTTPError else { return XCTFail("\(error)") }
            }
        }
    }

    func testNonUTF8HeaderIsRefused() {
        var p = HTTPResponseParser()
        XCTAssertThrowsError(try p.feed(bytes("HTTP/1.1 200 OK\r\nX: ") + [0xff, 0xfe] + bytes("\r\nContent-Length: 0\r\n\r\n")))
    }

    func testNonUTF8BodyIsNotText() throws {
        var p = HTTPResponseParser()
        let r = try XCTUnwrap(p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n") + [0xc3, 0x28]))
        XCTAssertEqual(r.body, [0xc3, 0x28])
        XCTAssertNil(r.text)
    }
}

/// Shows a test input on one line in failure messages.
struct OneLine: CustomStringConvertible {
    let text: String
    init(_ text: String) { self.text = text }
    var description: String {
        text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }
}
