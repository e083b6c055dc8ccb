/// Where a pipeline says what it decided: syslog in the programs, a
/// recording list in tests.
public protocol Log: AnyObject {
    func log(_ level: LogLevel, _ message: String)
}

public enum LogLevel: Comparable, Sendable {
    case debug, info, warning, error
}

extension Log {
    public func info(_ m: String) { log(.info, m) }
    public func warning(_ m: String) { log(.warning, m) }
    public func error(_ m: String) { log(.error, m) }
    public func debug(_ m: String) { log(.debug, m) }
}
