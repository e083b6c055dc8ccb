import CLinux
import EC2NetCore

/// Tells systemd-networkd to re-read its configuration.
public protocol Reloader: AnyObject {
    func reload() throws(ReloadError)
}

public enum ReloadError: Error, CustomStringConvertible {
    case spawn(String, errno: Int32)
    case failed(String, status: Int32)
    /// Still running at the run's deadline: killed, the reload not done.
    case timedOut(String)
    /// The coordination lock could not be taken.
    case lock(FileError)

    public var description: String {
        switch self {
        case .spawn(let p, let e): return "cannot start \(p): \(SystemError.message(e))"
        case .failed(let p, let s): return "\(p) reload exited with status \(s)"
        case .timedOut(let p): return "\(p) reload still running at the run's deadline; killed"
        case .lock(let e): return e.description
        }
    }
}

/// `networkctl reload`, started by absolute path with posix_spawn: the one
/// program ec2net ever starts. Never a shell. With a deadline, waited for
/// until it (but at least `RunDeadline.reloadGrace`), then killed: a failed
/// reload, pending for the next run.
public final class NetworkctlReloader: Reloader {
    public static let defaultPath = "/usr/bin/networkctl"
    public let path: String
    private let deadline: WaitDeadline?

    public init(path: String, deadline: WaitDeadline? = nil) {
        self.path = path
        self.deadline = deadline
    }

    public func reload() throws(ReloadError) {
        let child = try ChildProcess.spawn(path, ["reload"])
        let status: Int32
        switch try child.wait(until: deadline?.atLeast(RunDeadline.reloadGrace), path: path) {
        case .exited(let s): status = s
        case .killedAtDeadline: throw .timedOut(path)
        }
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw .failed(path, status: status)
        }
    }
}
