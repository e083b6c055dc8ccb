import EC2NetSystem

/// How a command fails: a wrong command line, or its pipeline stopped.
enum CommandError: Error, CustomStringConvertible {
    case usage(UsageError)
    case pipeline(PipelineError)
    /// ec2net status: rtnetlink could not be read, so nothing can be judged.
    case kernelUnreadable(NetlinkError)
    /// ec2net status: sysfs, the generated files or the naming map exist but
    /// cannot be read (only ENOENT is absent), so nothing can be judged.
    case stateUnreadable(StatusInspectionError)

    var description: String {
        switch self {
        case .usage(let e): return e.description
        case .pipeline(let e): return e.description
        case .kernelUnreadable(let e): return "cannot read the kernel's state: \(e)"
        case .stateUnreadable(let e): return e.description
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

extension CommandError {
    /// Runs a pipeline step, its error as a CommandError.
    static func pipeline<T>(_ body: () throws(PipelineError) -> T) throws(CommandError) -> T {
        do { return try body() } catch { throw .pipeline(error) }
    }
}
