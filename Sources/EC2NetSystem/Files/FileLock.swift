import CLinux

/// An flock(2) lock on a file. The kernel drops it when its holder dies, so
/// a crashed ec2-plug never leaves a stale lock behind (upstream had to
/// probe PIDs in lock files for that).
public final class FileLock {
    public let path: String
    private var fd: Int32

    public enum Mode { case shared, exclusive }

    public init(path: String) throws(FileError) {
        self.path = path
        fd = ec2net_open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .operation("open", path: path, errno: errno) }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Takes the lock, waiting for a conflicting holder: with a deadline
    /// (the run's, RunContext.lockDeadline: issue 21) by non-blocking tries
    /// until it passes (then `.lockTimedOut`, nothing done under the lock),
    /// without one (a run without a deadline) by a blocking flock(2).
    public func lock(_ mode: Mode, until deadline: WaitDeadline?) throws(FileError) {
        guard let deadline else {
            while flock(fd, mode == .shared ? LOCK_SH : LOCK_EX) != 0 {
                if errno != EINTR { throw .operation("flock", path: path, errno: errno) }
            }
            return
        }
        while try !tryLock(mode) {
            if deadline.isExpired { throw .lockTimedOut(path: path) }
            deadline.pause()
        }
    }

    /// false when another process holds a conflicting lock.
    public func tryLock(_ mode: Mode) throws(FileError) -> Bool {
        if flock(fd, (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw .operation("flock", path: path, errno: errno)
    }

    public func unlock() { flock(fd, LOCK_UN) }
}
