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
        let c = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try c.markPending()
        try c.markPending()
        XCTAssertNotNil(fileStat(run + "/reload-pending"))
        XCTAssertEqual(try c.finish(reloader: reloader, turn: .deferToOthers), .reloaded)
        XCTAssertEqual(reloader.count, 1)
        XCTAssertNil(fileStat(run + "/reload-pending"))
        XCTAssertEqual(clock.sleeps, [], "no fixed wait on the path of a lone run (issue 21)")

        // The next run with nothing to do reloads nothing.
        let d = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        XCTAssertEqual(try d.finish(reloader: reloader, turn: .deferToOthers), .nothingPending)
        XCTAssertEqual(reloader.count, 1)
    }

    func testNothingPendingNoReload() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        XCTAssertEqual(try ReloadCoordinator(runDirectory: run, lockDeadline: nil).finish(reloader: reloader, turn: .deferToOthers), .nothingPending)
        XCTAssertEqual(reloader.count, 0)
    }

    func testDeferredWhileAnotherCoordinatorWorks() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        let first = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        let second = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try first.markPending()
        XCTAssertEqual(try first.finish(reloader: reloader, turn: .deferToOthers), .deferred)
        XCTAssertEqual(reloader.count, 0)
        XCTAssertNotNil(fileStat(run + "/reload-pending"), "the pending mark is left for the last one out")
        // The last one out reloads, for both.
        XCTAssertEqual(try second.finish(reloader: reloader, turn: .deferToOthers), .reloaded)
        XCTAssertEqual(reloader.count, 1)
    }

    /// ec2-plug's turn (issue 21): it does not return while a reload is
    /// pending; it waits for the others to finish, then reloads itself or
    /// finds that the last of them did. A lone plug never waits.
    func testAwaitReloadReloadsAloneWithoutWaiting() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        let c = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try c.markPending()
        XCTAssertEqual(try c.finish(reloader: reloader, turn: .awaitReload), .reloaded)
        XCTAssertEqual(reloader.count, 1)
        XCTAssertNil(fileStat(run + "/reload-pending"))
    }

    func testAwaitReloadWaitsForAnotherProcessThenFindsItReloaded() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        // Another ec2net process works: it holds the shared lock (a child,
        // so the lock is another open file description, as in the field).
        let (release, pid) = try holdSharedLockInChild(run + "/active.lock")
        defer { var s: Int32 = 0; kill(pid, SIGKILL); waitpid(pid, &s, 0) }
        let c = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try c.markPending()
        final class Finishing: @unchecked Sendable {
            let coordinator: ReloadCoordinator, reloader: CountingReloader
            var outcome: ReloadCoordinator.Outcome? = nil
            let done = DispatchSemaphore(value: 0)
            init(_ c: ReloadCoordinator, _ r: CountingReloader) { coordinator = c; reloader = r }
        }
        let plug = Finishing(c, reloader)
        let finished = plug.done
        Thread {
            plug.outcome = try? plug.coordinator.finish(reloader: plug.reloader, turn: .awaitReload)
            plug.done.signal()
        }.start()
        // While the other works the plug has not returned; the other then
        // reloads (its marker consumed) and leaves.
        XCTAssertEqual(finished.wait(timeout: .now() + 0.3), .timedOut, "returned while another process still worked")
        try PendingReload(runDirectory: run).clear()
        close(release)
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(plug.outcome, .reloadedByAnother)
        XCTAssertEqual(reloader.count, 0)
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
        let c = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try PendingReload(runDirectory: run).mark()
        XCTAssertEqual(try c.finish(reloader: watching, turn: .deferToOthers), .reloaded)
        XCTAssertTrue(watching.sawMarker, "still pending while networkctl runs")
        XCTAssertNil(fileStat(run + "/reload-pending"))
    }

    func testFailedReloadStaysPending() throws {
        let run = try makeTemporaryDirectory(self)
        let reloader = CountingReloader()
        reloader.failure = .failed("/usr/bin/networkctl", status: 256)
        let c = try ReloadCoordinator(runDirectory: run, lockDeadline: nil)
        try c.markPending()
        XCTAssertThrowsError(try c.finish(reloader: reloader, turn: .deferToOthers)) { XCTAssertEqual(($0 as? ReloadError)?.description, ReloadError.failed("/usr/bin/networkctl", status: 256).description) }
        XCTAssertNotNil(fileStat(run + "/reload-pending"))
        reloader.failure = nil
        XCTAssertEqual(try ReloadCoordinator(runDirectory: run, lockDeadline: nil).finish(reloader: reloader, turn: .deferToOthers), .reloaded)
        XCTAssertEqual(reloader.count, 2)
    }
}

/// A child process that holds a shared flock on `path` until the returned
/// pipe's write end is closed; its PID so the test stops it.
func holdSharedLockInChild(_ path: String) throws -> (release: Int32, pid: pid_t) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
    let ready = FileManager.default.temporaryDirectory.path + "/ec2net-lock-ready-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let pid = fork()
    if pid == 0 {
        close(fds[1])
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        flock(fd, LOCK_SH)
        close(open(ready, O_WRONLY | O_CREAT, 0o600))
        var byte: UInt8 = 0
        _ = read(fds[0], &byte, 1)
        _exit(0)
    }
    close(fds[0])
    while access(ready, F_OK) != 0 { usleep(1000) }
    unlink(ready)
    return (fds[1], pid)
}
