import CLinux
import EC2NetCore

/// Tells systemd-networkd to re-read its configuration.
public protocol Reloader: AnyObject {
    func reload() throws(ReloadError)
}

public enum ReloadError: Error, CustomStringConvertible {
    case spawn(String, errno: Int32)
    case failed(String, status: Int32)
    /// The coordination lock could not be taken.
    case lock(FileError)

    public var description: String {
        switch self {
        case .spawn(let p, let e): return "cannot start \(p): \(SystemError.message(e))"
        case .failed(let p, let s): return "\(p) reload exited with status \(s)"
        case .lock(let e): return e.description
        }
    }
}

/// `networkctl reload`, started by absolute path with posix_spawn: the one
/// program ec2net ever starts. Never a shell.
public final class NetworkctlReloader: Reloader {
    public static let defaultPath = "/usr/bin/networkctl"
    public let path: String

    public init(path: String) { self.path = path }

    public func reload() throws(ReloadError) {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup("reload"), nil]
        defer { for p in argv { free(p) } }
        let rc = posix_spawn(&pid, path, nil, nil, argv, ec2net_environ())
        guard rc == 0 else { throw .spawn(path, errno: rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw .spawn(path, errno: errno) }
        }
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw .failed(path, status: status)
        }
    }
}
