import CLinux

/// Coalesces networkd reloads across concurrent ec2net processes: many
/// ENIs hot-plugged at once cause one reload, after the last change.
///
/// Every process holds a shared lock on `active.lock` while it works. A
/// process that changes files creates `reload-pending` (PendingReload)
/// before its first rename or unlink. On finishing it drops its shared
/// lock and takes the lock exclusively: only once nobody else works does
/// it get it, and then it reloads if anything is still pending, whoever
/// marked it. The marker is removed only after the reload succeeded, so a
/// process killed at any point, or a failed `networkctl reload`, leaves it
/// for the next run (the timer's within a minute).
///
/// Coalescing comes from the overlap of the processes alone, never from a
/// fixed wait: a lone hot-plug reloads the moment it is done. How the
/// exclusive lock is taken depends on who finishes (`Turn`).
public final class ReloadCoordinator {
    private let activePath: String
    private let pending: PendingReload
    private let active: FileLock
    /// The run's deadline for both locks; nil: they block.
    private let lockDeadline: WaitDeadline?

    public init(runDirectory: String, lockDeadline: WaitDeadline?) throws(FileError) {
        try Directory.makePath(runDirectory)
        activePath = runDirectory + "/active.lock"
        pending = PendingReload(runDirectory: runDirectory)
        self.lockDeadline = lockDeadline
        active = try FileLock(path: activePath)
        try active.lock(.shared, until: lockDeadline)
    }

    public func markPending() throws(FileError) { try pending.mark() }

    public enum Outcome: Equatable {
        case reloaded
        case nothingPending
        /// Another ec2net process is still working and will reload.
        case deferred
        /// Waited for the others; one of them reloaded, this change included.
        case reloadedByAnother
    }

    /// How a finishing process takes its turn at the reload.
    public enum Turn {
        /// Leave a pending reload to whoever still works (a scan, an unplug:
        /// no udev event of a link waits on them).
        case deferToOthers
        /// Do not return before networkd re-read what is pending: ec2-plug,
        /// whose return ends its link's udev event. networkd configures a
        /// link only once udev is done with it, and a reload that lands
        /// later finds the link mid-DHCP under the base config; networkd
        /// 252's `manager_reload` then runs `link_reconfigure` on every
        /// link whose `.network` changed, which drops the running DHCP and
        /// can leave the link `configuring`. Reloaded while the event still
        /// runs, the link is `pending` and networkd applies the new file at
        /// its first configuration.
        case awaitReload
    }

    public func finish(reloader: Reloader, turn: Turn) throws(ReloadError) -> Outcome {
        active.unlock()
        let exclusive: FileLock
        do { exclusive = try FileLock(path: activePath) } catch { throw .lock(error) }
        do { guard try pending.isMarked() else { return .nothingPending } } catch { throw .lock(error) }
        do {
            switch turn {
            case .deferToOthers:
                guard try exclusive.tryLock(.exclusive) else { return .deferred }
            case .awaitReload:
                // Waits while other runs work; every one of them is bounded
                // by its own deadline, and this wait by this run's
                // (lockDeadline): past it the marker stays, for the
                // run still holding its shared lock or the next one. The
                // lock drops with a killed holder.
                try exclusive.lock(.exclusive, until: lockDeadline)
                guard try pending.isMarked() else { return .reloadedByAnother }
            }
        } catch { throw .lock(error) }
        defer { exclusive.unlock() }
        // The marker goes only after networkd confirmed the reload: killed
        // or failed before that, the next run (or the timer) reloads. No
        // change can land between the reload and the unlink: every writer
        // holds the shared lock, which this exclusive one keeps out.
        try reloader.reload()
        do { try pending.clear() } catch { throw .lock(error) }
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

    /// Only ENOENT means no reload is pending.
    public func isMarked() throws(FileError) -> Bool {
        if access(path, F_OK) == 0 { return true }
        guard errno == ENOENT else { throw .operation("access", path: path, errno: errno) }
        return false
    }

    func clear() throws(FileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .operation("unlink", path: path, errno: errno) }
    }
}
