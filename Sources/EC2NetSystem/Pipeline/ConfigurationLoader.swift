import CLinux
import EC2NetCore

/// Reads the vendor file, the admin file and its drop-ins, in that order.
public enum ConfigurationLoader {
    public struct Result {
        public let configuration: Configuration
        public let diagnostics: [ConfigDiagnostic]
        public let filesRead: [String]
    }

    /// - Parameter explicit: `--config FILE`: it must exist (its absence is a usage error, not a default).
    public static func load(paths: Paths, explicit: String?) throws(FileError) -> Result {
        var files: [String] = []
        let main: String
        if let explicit {
            guard access(explicit, R_OK) == 0 else { throw .operation("read", path: explicit, errno: errno) }
            main = explicit
        } else {
            files.append(paths.vendorConfig)
            main = paths.adminConfig
        }
        files.append(main)
        let dropins = main + ".d"
        if let dir = try? Directory(path: dropins, create: false), let names = try? dir.entries() {
            files += names.filter { $0.hasSuffix(".conf") && !$0.hasPrefix(".") }.map { dropins + "/" + $0 }
        }
        var parser = ConfigParser()
        var read: [String] = []
        for f in files {
            guard let text = readFile(f) else { continue }
            parser.apply(text: text, file: f)
            read.append(f)
        }
        return Result(configuration: parser.configuration, diagnostics: parser.diagnostics, filesRead: read)
    }

    public static func readFile(_ path: String) -> String? {
        let slash = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dir = try? Directory(path: slash.isEmpty ? "/" : slash, create: false) else { return nil }
        return try? dir.read(name, limit: 256 * 1024)
    }
}
