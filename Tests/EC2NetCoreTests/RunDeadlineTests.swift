import XCTest
@testable import EC2NetCore

/// RunDeadline: one budget per run, each step cut to the time left (issue 21,
/// "One deadline per run"; udev's 180 s RUN timeout, udev(7) event_timeout).
final class RunDeadlineTests: XCTestCase {
    func testRemainingCountsDownAndStopsAtZero() {
        let d = RunDeadline(start: 100, budget: 60)
        XCTAssertEqual(d.remaining(at: 100), 60)
        XCTAssertEqual(d.remaining(at: 130), 30)
        XCTAssertEqual(d.remaining(at: 200), 0)
        XCTAssertFalse(d.isExpired(at: 159.9))
        XCTAssertTrue(d.isExpired(at: 160))
    }

    func testAStepTakesTheSmallerOfItsBoundAndTheTimeLeft() {
        let d = RunDeadline(start: 0, budget: 60)
        XCTAssertEqual(d.bound(2, at: 0), 2)
        XCTAssertEqual(d.bound(2, at: 59), 1)
        XCTAssertEqual(d.bound(2, at: 61), 0)
    }

    /// The worst case the issue computes (~290 s of retries and renewals)
    /// cannot pass the deadline when each request is cut to the time left.
    func testRetriesSummedStayInsideTheBudget() {
        let d = RunDeadline(start: 0, budget: 60)
        var now = 0.0
        var requests = 0
        while !d.isExpired(at: now) && requests < 1000 {
            now += d.bound(2.5, at: now)
            requests += 1
        }
        XCTAssertEqual(now, 60)
        XCTAssertEqual(requests, 24)
    }

    func testTheTestHookCanOnlyShortenTheBudget() {
        XCTAssertEqual(RunDeadline.budget(override: nil), 60)
        XCTAssertEqual(RunDeadline.budget(override: "3"), 3)
        XCTAssertEqual(RunDeadline.budget(override: "600"), 60)
        XCTAssertEqual(RunDeadline.budget(override: "-1"), 60)
        XCTAssertEqual(RunDeadline.budget(override: "x"), 60)
        XCTAssertEqual(RunDeadline(start: 0, budget: -5).remaining(at: 0), 0)
    }

    func testThePropagationWaitFitsInTheBudget() {
        XCTAssertLessThan(RunDeadline.maxDeviceNumberTimeout, RunDeadline.udevBudget)
    }

    /// ec2-ifscan's own bound (issue 21): below its units' TimeoutStartSec=120
    /// by the reload's grace and more; the test hook can only shorten it.
    func testTheScanBudgetIsItsOwnAndOnlyShortened() {
        XCTAssertEqual(RunDeadline.budget(override: nil, limit: RunDeadline.scanBudget), 110)
        XCTAssertEqual(RunDeadline.budget(override: "2", limit: RunDeadline.scanBudget), 2)
        XCTAssertEqual(RunDeadline.budget(override: "500", limit: RunDeadline.scanBudget), 110)
        XCTAssertLessThan(RunDeadline.scanBudget + RunDeadline.reloadGrace, 120)
        XCTAssertEqual(RunDeadline.budget(override: "500"), RunDeadline.udevBudget)
    }
}
