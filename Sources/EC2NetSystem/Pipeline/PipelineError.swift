import EC2NetCore

/// Why a plug, unplug, scan or naming run stopped. Every case maps to one
/// exit code in the programs (ExitCode.of, exhaustive).
public enum PipelineError: Error, CustomStringConvertible {
    /// IMDS failed, refused, or returned a value that does not validate.
    case metadata(MetadataReadError)
    /// A file could not be read or written.
    case file(FileError)
    /// A configuration file (ec2net.conf, a drop-in, `--config FILE`)
    /// exists but cannot be read, or `--config FILE` does not exist.
    case configuration(FileError)
    /// sysfs says something that cannot be: a MAC that does not parse.
    /// Retrying will not help (EX_SOFTWARE, not "try later").
    case interfaceState(interface: String, AddressError)

    public var description: String {
        switch self {
        case .metadata(let e): return e.description
        case .file(let e): return e.description
        case .configuration(.operation(let op, let path, let errno)):
            return "cannot read configuration \(path): \(op): \(SystemError.message(errno)) (\(SystemError.name(errno))); nothing changed"
        case .configuration(let e): return "cannot read configuration: \(e)"
        case .interfaceState(let i, let e): return "\(i): sysfs: \(e)"
        }
    }
}

extension PipelineError {
    /// Runs a file step, its FileError as a PipelineError.
    public static func files<T>(_ body: () throws(FileError) -> T) throws(PipelineError) -> T {
        do { return try body() } catch { throw .file(error) }
    }
}
