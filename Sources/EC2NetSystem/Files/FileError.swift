import EC2NetCore

/// A file-system operation that failed; nothing half-written is left behind.
public enum FileError: Error, Equatable, CustomStringConvertible {
    case operation(String, path: String, errno: Int32)
    /// A file at a name ec2net would write, but not written by ec2net.
    case foreign(path: String)

    public var description: String {
        switch self {
        case .operation(let op, let path, let e): return "\(op) \(path): \(SystemError.message(e))"
        case .foreign(let path): return "\(path) exists and was not written by ec2net; leaving it alone"
        }
    }
}
