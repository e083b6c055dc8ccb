import XCTest
@testable import EC2NetCore

/// RequestPacing: at most `limit` request starts in any window (issue 21,
/// EC2's link-local allowance of 1024 packets/s per ENI, AWS ENA docs).
final class RequestPacingTests: XCTestCase {
    func testUpToTheLimitNoWait() {
        var p = RequestPacing(limit: 3)
        XCTAssertEqual([p.admit(at: 0), p.admit(at: 0.1), p.admit(at: 0.2)], [0, 0, 0])
    }

    func testBeyondTheLimitWaitsUntilTheOldestLeftTheWindow() {
        var p = RequestPacing(limit: 3)
        for t in [0.0, 0.1, 0.2] { _ = p.admit(at: t) }
        XCTAssertEqual(p.admit(at: 0.3), 0.7, accuracy: 1e-9)   // starts at 1.0
        XCTAssertEqual(p.admit(at: 0.3), 0.8, accuracy: 1e-9)   // starts at 1.1
        XCTAssertEqual(p.admit(at: 5.0), 0)                     // the window moved on
    }

    /// A burst of 10 requests with limit 4: every 1-second window holds at most 4 starts.
    func testNoWindowHoldsMoreThanTheLimit() {
        var p = RequestPacing(limit: 4)
        var now = 0.0
        var starts: [Double] = []
        for _ in 0..<10 {
            now += p.admit(at: now)
            starts.append(now)
            now += 0.001 // the exchange itself
        }
        for s in starts {
            XCTAssertLessThanOrEqual(starts.filter { $0 >= s && $0 < s + 1.0 - 1e-9 }.count, 4)
        }
    }
}
