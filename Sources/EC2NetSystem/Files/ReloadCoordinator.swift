import CLinux

/// Coalesces networkd reloads across concurrent ec2net processes: many
/// ENIs hot-plugged at once cause one reload, after the last change.
///
/// Every process holds a shared lock on `active.lock` while it works. A
/// process that changed files creates `reload-pending`. On finishing it
/// drops its shared lock and tries to take the lock exclusively without
/// waiting: only the last one out gets it, and it reloads if anything is
/// pending. Pending is created before the shared lock is dropped, so no
/// change can be missed; a process killed half-way leaves pending behind
/// for the next one. The last one out waits `settleDelay` and checks again
/// that nobody new started, so a burst of udev events spread over a few
/// milliseconds still ends in one reload.
public final class ReloadCoordinator {
    private let activePath: String
    private let pendingPath: String
    private let active: FileLock

    public init(runDirectory: String) throws(FileError) {
        try Directory.makePath(runDirectory)
        activePath = runDirectory + "/active.lock"
        pendingPath = runDirectory + "/reload-pending"
        active = try FileLock(path: activePath)
        try active.lock(.shared)
    }

    public func markPending() throws(FileError) {
        let fd = ec2net_open(pendingPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .operation("create", path: pendingPath, errno: errno) }
        close(fd)
    }

    public enum Outcome: Equatable {
        case reloaded
        case nothingPending
        /// Another ec2net process is still working and will reload.
        case deferred
    }

    public static let settleDelay = 0.02

    public func finish(reloader: Reloader, settle clock: MonotonicClock) throws(ReloadError) -> Outcome {
        active.unlock()
        let exclusive: FileLock
        do { exclusive = try FileLock(path: activePath) } catch { throw .lock(error) }
        guard access(pendingPath, F_OK) == 0 else { return .nothingPending }
        clock.sleep(ReloadCoordinator.settleDelay)
        do { guard try exclusive.tryLock(.exclusive) else { return .deferred } } catch { throw .lock(error) }
        defer { exclusive.unlock() }
        guard unlink(pendingPath) == 0 else { return .nothingPending }
        do {
            try reloader.reload()
        } catch {
            // Leave the reload pending for the next run.
            try? markPending()
            throw error
        }
        return .reloaded
    }
}
