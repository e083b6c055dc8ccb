import CLinux

/// A program started by absolute path with posix_spawn (never a shell),
/// and its end: waited for until a deadline, then killed (issue 21).
public struct ChildProcess {
    public let pid: pid_t

    public enum End: Equatable {
        /// The raw waitpid(2) status.
        case exited(status: Int32)
        /// Still running at the deadline: sent SIGKILL and reaped.
        case killedAtDeadline
    }

    /// Starts `path` with `arguments` (argv[1...]) and this process's environment.
    public static func spawn(_ path: String, _ arguments: [String]) throws(ReloadError) -> ChildProcess {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let rc = posix_spawn(&pid, path, nil, nil, argv, ec2net_environ())
        guard rc == 0 else { throw .spawn(path, errno: rc) }
        return ChildProcess(pid: pid)
    }

    /// Waits for the child: blocking without a deadline; with one by
    /// WNOHANG polls until it passes, then SIGKILL to this PID (ours and
    /// unreaped, so it cannot have been reused) and a blocking reap.
    public func wait(until deadline: WaitDeadline?, path: String) throws(ReloadError) -> End {
        var status: Int32 = 0
        guard let deadline else {
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { throw .spawn(path, errno: errno) }
            }
            return .exited(status: status)
        }
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return .exited(status: status) }
            if r < 0 && errno != EINTR { throw .spawn(path, errno: errno) }
            if r == 0 {
                if deadline.isExpired { break }
                deadline.pause()
            }
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw .spawn(path, errno: errno) }
        }
        return .killedAtDeadline
    }
}
