import EC2NetSystem

/// How a command fails: a wrong command line, or its pipeline stopped.
enum CommandError: Error, CustomStringConvertible {
    case usage(UsageError)
    case pipeline(PipelineError)
    /// ec2net status: rtnetlink could not be read, so nothing can be judged.
    case kernelUnreadable(NetlinkError)

    var description: String {
        switch self {
        case .usage(let e): return e.description
        case .pipeline(let e): return e.description
        case .kernelUnreadable(let e): return "cannot read the kernel's state: \(e)"
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
