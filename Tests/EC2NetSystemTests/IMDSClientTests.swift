import Foundation
import XCTest
@testable import EC2NetSystem
import EC2NetCore

/// Real time for deadlines, but `sleep` only records the pause and moves
/// the clock forward: backoff schedules are checked without waiting.
final class SkippingClock: MonotonicClock, @unchecked Sendable {
    private let real = SystemClock()
    private var offset = 0.0
    private(set) var sleeps: [Double] = []

    func now() -> Double { real.now() + offset }
    func sleep(_ seconds: Double) { sleeps.append(seconds); offset += seconds }
}

final class IMDSClientTests: XCTestCase {
    var clock = SkippingClock()

    override func setUp() {
        clock = SkippingClock()
    }

    func server(_ handler: @escaping LoopbackHTTPServer.Handler) throws -> LoopbackHTTPServer {
        let s = try LoopbackHTTPServer(handler: handler)
        addTeardownBlock { s.stop() }
        return s
    }

    func client(_ urls: [String], timing: IMDSClient.Timing = IMDSClient.Timing()) throws -> IMDSClient {
        let c = IMDSClient(endpoints: try urls.map { try HTTPURL(parsing: $0) }, timing: timing, clock: clock, userAgent: "ec2net-tests/1")
        addTeardownBlock { c.close() }
        return c
    }

    func testTokenThenGetsOnOneConnection() throws {
        let s = try server(imdsHandler(values: ["mac": "02:00:00:00:00:01", "local-ipv4": "10.0.0.10", "network/interfaces/macs/": "02:00:00:00:00:01/"]))
        let c = try client([s.url])
        XCTAssertEqual(try c.get("mac"), "02:00:00:00:00:01")
        XCTAssertEqual(try c.get("local-ipv4"), "10.0.0.10")
        XCTAssertEqual(try c.get("network/interfaces/macs/"), "02:00:00:00:00:01/")
        XCTAssertEqual(s.connectionCount, 1)
        XCTAssertEqual(c.connections, 1)
        XCTAssertEqual(c.requests, 4)
        let r = s.requests
        XCTAssertEqual(r.map { "\($0.method) \($0.path)" }, [
            "PUT /latest/api/token", "GET /latest/meta-data/mac", "GET /latest/meta-data/local-ipv4",
            "GET /latest/meta-data/network/interfaces/macs/",
        ])
        XCTAssertEqual(r[0].header("X-aws-ec2-metadata-token-ttl-seconds"), "60")
        XCTAssertEqual(r[0].header("Content-Length"), "0")
        XCTAssertNil(r[0].header("X-aws-ec2-metadata-token"))
        for g in r.dropFirst() { XCTAssertEqual(g.header("X-aws-ec2-metadata-token"), "TOKEN-1") }
        for q in r {
            XCTAssertEqual(q.header("User-Agent"), "ec2net-tests/1")
            XCTAssertEqual(q.header("Host"), "127.0.0.1:\(s.port)")
            XCTAssertEqual(q.connection, 1)
        }
        XCTAssertEqual(clock.sleeps, [])
    }

    func testBasePathOfTheEndpointIsKept() throws {
        let s = try server { r in
            r.path == "/prefix/latest/api/token" ? .ok("T") : r.path == "/prefix/latest/meta-data/mac" ? .ok("m") : .status(404)
        }
        let c = try client([s.url + "/prefix/"])
        XCTAssertEqual(try c.get("mac"), "m")
    }

    func test401RenewsTheTokenOnce() throws {
        // The first token is refused once (IMDS restarted); the second works.
        let s = try server { r in
            if r.method == "PUT" { return .ok(r.repeatCount == 0 ? "OLD" : "NEW") }
            return r.header("X-aws-ec2-metadata-token") == "NEW" ? .ok("value") : .status(401)
        }
        let c = try client([s.url])
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.requests.map { "\($0.method) \($0.header("X-aws-ec2-metadata-token") ?? "-")" },
                       ["PUT -", "GET OLD", "PUT -", "GET NEW"])
        // The new token is kept.
        XCTAssertEqual(try c.get("y"), "value")
        XCTAssertEqual(s.requests.filter { $0.method == "PUT" }.count, 2)
        XCTAssertEqual(s.connectionCount, 1)
    }

    func test401TwiceIsAnError() throws {
        let s = try server { r in r.method == "PUT" ? .ok("T\(r.repeatCount)") : .status(401) }
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .status(401, path: "/latest/meta-data/x"))
        }
        XCTAssertEqual(s.requests.map(\.method), ["PUT", "GET", "PUT", "GET"])
    }

    func test404IsNil() throws {
        let s = try server(imdsHandler(values: [:]))
        let c = try client([s.url])
        XCTAssertNil(try c.get("network/interfaces/macs/02:00:00:00:00:01/ipv6s"))
        XCTAssertEqual(s.requests.count, 2)
    }

    func test5xxIsRetriedWithBackoff() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in
            r.method == "GET" && r.repeatCount < 2 ? .status(500) : nil
        })
        let c = try client([s.url])
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.requests.filter { $0.method == "GET" }.count, 3)
        XCTAssertEqual(clock.sleeps, [0.05, 0.2])
        XCTAssertEqual(s.connectionCount, 1)
    }

    func test5xxForeverIsAnErrorAfterBoundedRetries() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in r.method == "GET" ? .status(503) : nil })
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .status(503, path: "/latest/meta-data/x"))
        }
        XCTAssertEqual(s.requests.filter { $0.method == "GET" }.count, 4)
        XCTAssertEqual(clock.sleeps, [0.05, 0.2, 0.5])
    }

    /// Issue 21: the run's deadline cuts the 5xx back-off short; the request
    /// then fails as unreachable ("try later") and names the deadline.
    func test5xxForeverEndsAtTheRunsDeadline() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in r.method == "GET" ? .status(503) : nil })
        let c = IMDSClient(endpoints: [try HTTPURL(parsing: s.url)], clock: clock, userAgent: "ec2net-tests/1",
                           deadline: RunDeadline(start: clock.now(), budget: 0.1))
        addTeardownBlock { c.close() }
        XCTAssertThrowsError(try c.get("x")) {
            guard case .unreachable(let why)? = $0 as? IMDSError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("deadline ended it"), why)
        }
        // Every pause is cut to what is left, so together they never exceed the budget.
        XCTAssertLessThanOrEqual(clock.sleeps.reduce(0, +), 0.1)
    }

    func testExpiredDeadlineSendsNothing() throws {
        let s = try server(imdsHandler(values: ["x": "value"]))
        let c = IMDSClient(endpoints: [try HTTPURL(parsing: s.url)], clock: clock, userAgent: "ec2net-tests/1",
                           deadline: RunDeadline(start: clock.now(), budget: 0))
        addTeardownBlock { c.close() }
        XCTAssertThrowsError(try c.get("x")) {
            guard case .unreachable(let why)? = $0 as? IMDSError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("deadline ended it"), why)
        }
        XCTAssertEqual(s.requests.count, 0)
        XCTAssertEqual(c.requests, 0)
    }

    func testTokenEndpoint5xxIsRetried() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in
            r.method == "PUT" && r.repeatCount == 0 ? .status(500) : nil
        })
        let c = try client([s.url])
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.requests.map(\.method), ["PUT", "PUT", "GET"])
    }

    func test403IsForbidden() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in r.method == "GET" ? .status(403) : nil })
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .forbidden(path: "/latest/meta-data/x"))
        }
        XCTAssertEqual(s.requests.count, 2, "403 is not retried")
    }

    func testTokenEndpoint403IsForbidden() throws {
        let s = try server { _ in .status(403) }
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .forbidden(path: "/latest/api/token"))
        }
    }

    func testTokenEndpoint404IsTokenRefused() throws {
        // An IMDSv1-only server (or something else answering at the address).
        let s = try server { _ in .status(404) }
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .tokenRefused(status: 404))
        }
        XCTAssertEqual(s.requests.map(\.method), ["PUT"])
    }

    func testUnprintableTokenIsRefused() throws {
        let s = try server { r in r.method == "PUT" ? .ok("abc\r\nX-Injected: 1") : .ok("v") }
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) { error in
            guard case .protocolError(let path, _)? = error as? IMDSError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/latest/api/token")
        }
    }

    func testSlowServerTimesOutWithinABound() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in r.method == "GET" ? .delay(30, .ok("late")) : nil })
        var timing = IMDSClient.Timing()
        timing.requestTimeout = 0.2
        let c = try client([s.url], timing: timing)
        let start = Date()
        XCTAssertThrowsError(try c.get("x")) { error in
            guard case .unreachable? = error as? IMDSError else { return XCTFail("\(error)") }
        }
        let elapsed = Date().timeIntervalSince(start)
        // Four attempts of 0.2 s (the backoff pauses are skipped by the clock).
        XCTAssertGreaterThanOrEqual(elapsed, 0.75)
        XCTAssertLessThan(elapsed, 2.5)
        XCTAssertEqual(s.requests.filter { $0.method == "GET" }.count, 4)
        XCTAssertEqual(clock.sleeps, [0.05, 0.2, 0.5])
    }

    func testTimeoutThenSuccessOnAFreshConnection() throws {
        let s = try server(imdsHandler(values: ["x": "value"]) { r in
            r.method == "GET" && r.repeatCount == 0 ? .delay(30, .ok("late")) : nil
        })
        var timing = IMDSClient.Timing()
        timing.requestTimeout = 0.2
        let c = try client([s.url], timing: timing)
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.connectionCount, 2, "a timed-out connection is not reused: a late answer would be taken for the next one")
    }

    func testConnectionRefusedFallsBackToTheSecondEndpoint() throws {
        let s = try server(imdsHandler(values: ["x": "value"]))
        let c = try client(["http://127.0.0.1:\(LoopbackHTTPServer.refusedPort())", s.url])
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.connectionCount, 1)
        XCTAssertEqual(c.connections, 1)
        XCTAssertEqual(clock.sleeps, [], "a refused endpoint is skipped, not retried")
    }

    func testEveryEndpointRefusedIsUnreachable() throws {
        let c = try client(["http://127.0.0.1:\(LoopbackHTTPServer.refusedPort())", "http://127.0.0.1:\(LoopbackHTTPServer.refusedPort())"])
        let start = Date()
        XCTAssertThrowsError(try c.get("x")) { error in
            guard case .unreachable? = error as? IMDSError else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testChunkedBody() throws {
        let s = try server(imdsHandler(values: [:]) { r in
            r.method == "GET" ? .chunked(["10.0.0.20\n", "10.0.0.21"]) : nil
        })
        let c = try client([s.url])
        XCTAssertEqual(try c.get("local-ipv4s"), "10.0.0.20\n10.0.0.21")
        XCTAssertEqual(try c.get("local-ipv4s"), "10.0.0.20\n10.0.0.21")
        XCTAssertEqual(s.connectionCount, 1)
    }

    func testNonUTF8BodyIsNotText() throws {
        let s = try server(imdsHandler(values: [:]) { r in
            r.method == "GET" ? .raw(LoopbackHTTPServer.Reply.response(200, [0x31, 0xff, 0xfe])) : nil
        })
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .notText(path: "/latest/meta-data/x"))
        }
    }

    func testOversizeBodyIsAProtocolError() throws {
        let big = String(repeating: "a", count: IMDSClient.bodyLimit + 1)
        let s = try server(imdsHandler(values: ["x": big]))
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) {
            XCTAssertEqual($0 as? IMDSError, .protocolError(path: "/latest/meta-data/x", .tooLarge(limit: IMDSClient.bodyLimit)))
        }
    }

    func testServerClosingAnIdleConnectionIsRetriedTransparently() throws {
        // The server answers the token request and closes without saying so.
        let s = try server(imdsHandler(values: ["x": "value"]) { r in
            r.method == "PUT" ? .rawThenClose(LoopbackHTTPServer.Reply.response(200, Array("TOKEN-1".utf8))) : nil
        })
        let c = try client([s.url])
        Thread.sleep(forTimeInterval: 0.05) // let the close arrive
        XCTAssertEqual(try c.get("x"), "value")
        XCTAssertEqual(s.connectionCount, 2)
        XCTAssertEqual(clock.sleeps, [])
    }

    func testConnectionCloseHeaderOpensANewConnection() throws {
        let s = try server(imdsHandler(values: [:]) { r in
            r.method == "GET" ? .raw(LoopbackHTTPServer.Reply.response(200, Array("v".utf8), headers: ["Connection: close"])) : nil
        })
        let c = try client([s.url])
        XCTAssertEqual(try c.get("a"), "v")
        XCTAssertEqual(try c.get("b"), "v")
        XCTAssertEqual(s.connectionCount, 2)
        XCTAssertEqual(s.requests.map(\.connection), [1, 1, 2])
    }

    func testServerThatClosesWithoutAnsweringIsUnreachable() throws {
        let s = try server { _ in .close }
        let c = try client([s.url])
        XCTAssertThrowsError(try c.get("x")) { error in
            guard case .unreachable? = error as? IMDSError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(s.requests.count, 4, "the token request, tried 1 + 3 times")
    }
}
