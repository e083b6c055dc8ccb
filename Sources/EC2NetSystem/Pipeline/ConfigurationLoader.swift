import CLinux
import EC2NetCore

/// Reads the vendor file, the admin file and its drop-ins, in that order.
///
/// Configuration is read through symlinks (configuration managers and
/// NixOS-style /etc link `/etc/ec2net`, `ec2net.conf`, `ec2net.conf.d` and
/// each drop-in), and only ENOENT means absent: any other error (EACCES, a
/// directory in a file's place, ELOOP, EIO) throws, naming the file and the
/// errno, so that a `Manage=none` or an `Exclude=` that cannot be read is
/// never taken for the defaults.
public enum ConfigurationLoader {
    public struct Result {
        public let configuration: Configuration
        public let diagnostics: [ConfigDiagnostic]
        public let filesRead: [String]
    }

    /// - Parameter explicit: `--config FILE`: it must exist (its absence is an error, not a default).
    public static func load(paths: Paths, explicit: String?) throws(FileError) -> Result {
        var parser = ConfigParser()
        var read: [String] = []
        func apply(_ path: String, _ text: String?) {
            guard let text else { return }
            parser.apply(text: text, file: path)
            read.append(path)
        }
        let main = explicit ?? paths.adminConfig
        if explicit == nil { apply(paths.vendorConfig, try Directory.readConfiguration(paths.vendorConfig)) }
        let text = try Directory.readConfiguration(main)
        if explicit != nil && text == nil { throw .operation("open", path: main, errno: ENOENT) }
        apply(main, text)
        let dropins = main + ".d"
        if let dir = try Directory.configuration(dropins) {
            for name in try dir.entries() where name.hasSuffix(".conf") && !name.hasPrefix(".") {
                apply(dropins + "/" + name, try dir.read(name, limit: 256 * 1024, followingSymlink: true))
            }
        }
        return Result(configuration: parser.configuration, diagnostics: parser.diagnostics, filesRead: read)
    }
}
