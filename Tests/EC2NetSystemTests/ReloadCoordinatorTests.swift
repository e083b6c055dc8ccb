import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ReloadCoordinator: one reload per burst, from the last process out.
final class CountingReloader: Reloader {
    private(set) var count = 0
    var failure: ReloadError? = nil

    func reload() throws(ReloadError) {
        count += 1
        if let failure { throw failure }
    }
}

final class ReloadCoordinatorTests: XCTestCase {

    func testPendingAndFinishReloadsOnce() throws {
        let run = try makeTemporaryDirectory(self) + "/run/ec2net"
        let reloader = CountingReloader()
        let clock = FakeClock()
        let c = try ReloadCoordinator(runDirectory: run)
        try c.markPending()
        try c.markPending()
        XCTAssertNotNil(fileStat(run + "/reload-pending"))
        XCTAssertEqual(try c.finish(reloader: reloader, settle: clock), .reloaded)
        XCTAssertEqual(reloader.count, 1)
        XCTAssertNil(fileStat(run + "/reload-pending"))
        XCTAssertEqual(clock.sleeps, [ReloadCoordinator.settleDelay])

        // The next run with nothing to do reloads nothing.
        let d = try ReloadCoordinator(runDirectory: run)
        XCTAssertEqual(try d.finish(reloader: reloader, settle: clock), .nothingPending)
        XCTAssertEqual(reloader.count, 1)
    }

    func testNothingPendingNoReload() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        let clock = FakeClock()
        XCTAssertEqual(try ReloadCoordinator(runDirectory: run).finish(reloader: reloader, settle: clock), .nothingPending)
        XCTAssertEqual(reloader.count, 0)
        XCTAssertEqual(clock.sleeps, [], "no settle delay when nothing is pending")
    }

    func testDeferredWhileAnotherCoordinatorWorks() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        let clock = FakeClock()
        let first = try ReloadCoordinator(runDirectory: run)
        let second = try ReloadCoordinator(runDirectory: run)
        try first.markPending()
        XCTAssertEqual(try first.finish(reloader: reloader, settle: clock), .deferred)
        XCTAssertEqual(reloader.count, 0)
        XCTAssertNotNil(fileStat(run + "/reload-pending"), "the pending mark is left for the last one out")
        // The last one out reloads, for both.
        XCTAssertEqual(try second.finish(reloader: reloader, settle: clock), .reloaded)
        XCTAssertEqual(reloader.count, 1)
    }

    func testACoordinatorStartingDuringTheSettleDelayDefers() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        let clock = FakeClock()
        let first = try ReloadCoordinator(runDirectory: run)
        try first.markPending()
        var latecomer: ReloadCoordinator? = nil
        clock.onSleep = { _ in latecomer = try? ReloadCoordinator(runDirectory: run) }
        XCTAssertEqual(try first.finish(reloader: reloader, settle: clock), .deferred)
        XCTAssertNotNil(latecomer)
        clock.onSleep = nil
        XCTAssertEqual(try latecomer?.finish(reloader: reloader, settle: clock), .reloaded)
        XCTAssertEqual(reloader.count, 1)
    }

    /// The marker goes only after a successful reload: a reloader that
    /// never returns (the process killed inside `networkctl reload`) leaves
    /// it, and the next run, with nothing of its own, reloads.
    func testTheMarkerStaysUntilTheReloadSucceeded() throws {
        let run = try makeTemporaryDirectory(self)
        final class MarkerWatchingReloader: Reloader {
            let path: String
            var sawMarker = false
            init(path: String) { self.path = path }
            func reload() throws(ReloadError) { sawMarker = access(path, F_OK) == 0 }
        }
        let watching = MarkerWatchingReloader(path: run + "/reload-pending")
        let c = try ReloadCoordinator(runDirectory: run)
        try PendingReload(runDirectory: run).mark()
        XCTAssertEqual(try c.finish(reloader: watching, settle: FakeClock()), .reloaded)
        XCTAssertTrue(watching.sawMarker, "still pending while networkctl runs")
        XCTAssertNil(fileStat(run + "/reload-pending"))
    }

    func testFailedReloadStaysPending() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        reloader.failure = .failed("/usr/bin/networkctl", status: 256)
        let clock = FakeClock()
        let c = try ReloadCoordinator(runDirectory: run)
        try c.markPending()
        XCTAssertThrowsError(try c.finish(reloader: reloader, settle: clock)) { XCTAssertEqual(($0 as? ReloadError)?.description, ReloadError.failed("/usr/bin/networkctl", status: 256).description) }
        XCTAssertNotNil(fileStat(run + "/reload-pending"))
        reloader.failure = nil
        XCTAssertEqual(try ReloadCoordinator(runDirectory: run).finish(reloader: reloader, settle: clock), .reloaded)
        XCTAssertEqual(reloader.count, 2)
    }
}
