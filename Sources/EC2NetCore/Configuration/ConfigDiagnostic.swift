/// A problem in a configuration file, located by file and line. The key it
/// names is ignored; the rest of the file still applies.
public struct ConfigDiagnostic: Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
