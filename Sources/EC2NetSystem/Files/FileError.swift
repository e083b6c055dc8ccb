import EC2NetCore

/// A file-system operation that failed; nothing half-written is left behind.
public enum FileError: Error, Equatable, CustomStringConvertible {
    case operation(String, path: String, errno: Int32)
    /// A file at a name ec2net would write, but not written by ec2net.
    case foreign(path: String)
    /// Configuration (an admin's `.network` file, its directory or a
    /// drop-in) exists but cannot be read: an error, never "no claim"
    /// (EX_CONFIG, like an unreadable ec2net.conf).
    case unreadableConfiguration(String, path: String, errno: Int32)
    /// Another ec2net process still held the lock when the run's deadline
    /// passed (issue 21): nothing was done under it; try later.
    case lockTimedOut(path: String)

    /// This error met while reading configuration: what could not be read
    /// is configuration, not a file ec2net writes.
    public var asConfiguration: FileError {
        if case .operation(let op, let path, let e) = self { return .unreadableConfiguration(op, path: path, errno: e) }
        return self
    }

    public var description: String {
        switch self {
        case .operation(let op, let path, let e): return "\(op) \(path): \(SystemError.message(e))"
        case .foreign(let path): return "\(path) exists and was not written by ec2net; leaving it alone"
        case .unreadableConfiguration(let op, let path, let e):
            return "cannot read configuration \(path): \(op): \(SystemError.message(e)) (\(SystemError.name(e))); nothing changed"
        case .lockTimedOut(let path):
            return "\(path) still locked by another ec2net process at the run's deadline; nothing changed under it, try later"
        }
    }
}
