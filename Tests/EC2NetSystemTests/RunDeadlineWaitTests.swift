import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// Time that stands still but really sleeps: a poll loop on it waits for
/// the world (a child exiting) and never reaches its deadline.
final class StillClock: MonotonicClock {
    private let real = SystemClock()
    func now() -> Double { 0 }
    func sleep(_ seconds: Double) { real.sleep(seconds) }
}

/// The waits the kernel would let block for ever, bounded by the run's
/// deadline (issue 21, "One deadline per run"): a contended flock is polled
/// until the deadline, `networkctl`'s waitpid too, then the child is killed.
/// Fake clocks: nothing here depends on how fast the machine is.
final class RunDeadlineWaitTests: XCTestCase {
    func deadline(_ seconds: Double, _ clock: FakeClock) -> WaitDeadline {
        WaitDeadline(deadline: RunDeadline(start: clock.now(), budget: seconds), clock: clock)
    }

    // MARK: locks

    func testAContendedLockIsPolledUntilTheDeadlineThenTimesOut() throws {
        let path = try makeTemporaryDirectory(self) + "/active.lock"
        let holder = try FileLock(path: path)
        try holder.lock(.exclusive, until: nil)
        let clock = FakeClock()
        let waiter = try FileLock(path: path)
        XCTAssertThrowsError(try waiter.lock(.shared, until: deadline(1, clock))) { error in
            XCTAssertEqual(error as? FileError, .lockTimedOut(path: path))
        }
        XCTAssertEqual(clock.slept, 1, accuracy: 1e-9, "waited to the deadline, not past it")
        XCTAssertTrue(clock.sleeps.allSatisfy { $0 <= WaitDeadline.pollInterval + 1e-12 }, "short sleeps only")
        XCTAssertGreaterThan(clock.sleeps.count, 1, "polled, not one long sleep")
        holder.unlock()
        try waiter.lock(.shared, until: deadline(1, clock))
    }

    func testTheLockIsTakenOnceTheHolderLetsGoBeforeTheDeadline() throws {
        let path = try makeTemporaryDirectory(self) + "/lock-020000000002"
        let holder = try FileLock(path: path)
        try holder.lock(.exclusive, until: nil)
        let clock = FakeClock()
        clock.onSleep = { c in if c.sleeps.count == 3 { holder.unlock() } }
        try FileLock(path: path).lock(.exclusive, until: deadline(60, clock))
        XCTAssertEqual(clock.sleeps.count, 3)
    }

    func testAFreeLockNeverSleeps() throws {
        let path = try makeTemporaryDirectory(self) + "/free.lock"
        let clock = FakeClock()
        try FileLock(path: path).lock(.exclusive, until: deadline(0, clock))
        XCTAssertEqual(clock.sleeps, [], "an expired deadline still takes a free lock: one try")
    }

    /// ec2-plug's turn at the reload waits for the others' shared locks only
    /// until its deadline; the marker stays for the run still working.
    func testTheReloadTurnEndsAtTheDeadlineAndKeepsTheMarker() throws {
        let run = try makeTemporaryDirectory(self)
        let clock = FakeClock()
        let reloader = CountingReloader()
        let other = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        let mine = try ReloadCoordinator(runDirectory: run, lockDeadline: deadline(2, clock))
        try mine.markPending()
        XCTAssertThrowsError(try mine.finish(reloader: reloader, turn: .awaitReload)) { error in
            guard case .lock(.lockTimedOut) = error as? ReloadError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(reloader.count, 0)
        XCTAssertTrue(try PendingReload(runDirectory: run).isMarked(), "a reload is never lost")
        XCTAssertEqual(try other.finish(reloader: reloader, turn: .deferToOthers), .reloaded, "the other run reloads it")
        XCTAssertEqual(reloader.count, 1)
    }

    // MARK: child processes (networkctl)

    func testAChildStillRunningAtTheDeadlineIsKilledAndReaped() throws {
        let clock = FakeClock()
        let child = try ChildProcess.spawn("/bin/sleep", ["1000"])
        defer { kill(child.pid, SIGKILL); _ = waitpid(child.pid, nil, WNOHANG) }
        XCTAssertEqual(try child.wait(until: deadline(2, clock), path: "/bin/sleep"), .killedAtDeadline)
        XCTAssertEqual(clock.slept, 2, accuracy: 1e-9)
        XCTAssertEqual(kill(child.pid, 0), -1, "reaped: the PID is gone")
        XCTAssertEqual(Glibc.errno, ESRCH)
    }

    func testAChildThatExitsBeforeTheDeadlineIsWaitedFor() throws {
        let still = WaitDeadline(deadline: RunDeadline(start: 0, budget: 60), clock: StillClock())
        let child = try ChildProcess.spawn("/bin/sleep", ["0"])
        XCTAssertEqual(try child.wait(until: still, path: "/bin/sleep"), .exited(status: 0))
        let failing = try ChildProcess.spawn("/bin/sleep", ["not-a-number"])
        guard case .exited(let status) = try failing.wait(until: nil, path: "/bin/sleep") else { return XCTFail() }
        XCTAssertNotEqual(status, 0)
    }

    /// networkctl reload that ends nonzero is a failed reload, as before.
    func testNetworkctlReloaderReportsAFailedReload() {
        let still = WaitDeadline(deadline: RunDeadline(start: 0, budget: 60), clock: StillClock())
        XCTAssertThrowsError(try NetworkctlReloader(path: "/bin/false", deadline: still).reload()) { error in
            guard case .failed = error as? ReloadError else { return XCTFail("\(error)") }
        }
    }

    /// A deadline nearer than the grace is moved to it; a later one is kept.
    func testTheReloadGetsItsGracePastAnExpiredDeadline() {
        let clock = FakeClock()
        let spent = deadline(0, clock).atLeast(RunDeadline.reloadGrace)
        XCTAssertEqual(spent.deadline.remaining(at: clock.now()), RunDeadline.reloadGrace)
        let ample = deadline(30, clock)
        XCTAssertTrue(ample.atLeast(RunDeadline.reloadGrace) === ample)
    }
}
