import CLinux

/// Coalesces networkd reloads across concurrent ec2net processes: many
/// ENIs hot-plugged at once cause one reload, after the last change.
///
/// Every process holds a shared lock on `active.lock` while it works. A
/// process that changes files creates `reload-pending` (PendingReload)
/// before its first rename or unlink. On finishing it drops its shared
/// lock and tries to take the lock exclusively without waiting: only the
/// last one out gets it, and it reloads if anything is pending, whoever
/// marked it. The marker is removed only after the reload succeeded, so a
/// process killed at any point, or a failed `networkctl reload`, leaves it
/// for the next run (the timer's within a minute). The last one out waits `settleDelay` and checks again
/// that nobody new started, so a burst of udev events spread over a few
/// milliseconds still ends in one reload.
public final class ReloadCoordinator {
    private let activePath: String
    private let pendingPath: String
    private let active: FileLock

    public init(runDirectory: String) throws(FileError) {
        try Directory.makePath(runDirectory)
        activePath = runDirectory + "/active.lock"
        pending = PendingReload(runDirectory: runDirectory)
        pendingPath = pending.path
        active = try FileLock(path: activePath)
        try active.lock(.shared)
    }

    private let pending: PendingReload

    public func markPending() throws(FileError) { try pending.mark() }

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
        // The marker goes only after networkd confirmed the reload: killed
        // or failed before that, the next run (or the timer) reloads. No
        // change can land between the reload and the unlink: every writer
        // holds the shared lock, which this exclusive one keeps out.
        try reloader.reload()
        guard unlink(pendingPath) == 0 || errno == ENOENT else {
            throw .lock(.operation("unlink", path: pendingPath, errno: errno))
        }
        return .reloaded
    }
}

/// `reload-pending` in ec2net's run directory: networkd has not yet
/// re-read a change. Created before the change's first rename or unlink
/// (GeneratedTree), removed only after a reload succeeded.
public struct PendingReload: Sendable {
    public let path: String

    public init(runDirectory: String) { path = runDirectory + "/reload-pending" }

    public func mark() throws(FileError) {
        let fd = ec2net_open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .operation("create", path: path, errno: errno) }
        close(fd)
    }
}
