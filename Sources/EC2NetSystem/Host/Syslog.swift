import CLinux

/// One line per decision to syslog (ident `ec2net`), and to stderr with
/// `--verbose`. Callers pass only values that are safe to log: never the
/// IMDS token, and untrusted text through `Printable.quote`.
public final class Syslog: Log {
    public typealias Level = LogLevel

    nonisolated(unsafe) private static let ident: UnsafeMutablePointer<CChar> = strdup("ec2net")!
    private let echo: Bool
    private let program: String

    public init(program: String, echoToStderr: Bool) {
        self.echo = echoToStderr
        self.program = program
        // openlog keeps the pointer, so the ident must outlive this call: a
        // Swift string literal bridged to C is only valid during the call.
        openlog(Syslog.ident, LOG_PID, LOG_DAEMON)
    }

    public func log(_ level: Level, _ message: String) {
        let line = "\(program): \(message)"
        let priority: Int32
        switch level {
        case .debug: priority = LOG_DEBUG
        case .info: priority = LOG_INFO
        case .warning: priority = LOG_WARNING
        case .error: priority = LOG_ERR
        }
        line.withCString { text in
            ec2net_syslog(priority, text)
        }
        if echo || level == .error {
            let tag: String
            switch level {
            case .debug: tag = "debug"
            case .info: tag = "info"
            case .warning: tag = "warning"
            case .error: tag = "error"
            }
            let out = "ec2net \(tag): \(line)\n"
            let bytes = Array(out.utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
    }
}
