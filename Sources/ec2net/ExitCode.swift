import EC2NetCore
import EC2NetSystem

/// sysexits(3) codes, documented in the README and the man pages.
enum ExitCode: Int32 {
    case ok = 0
    /// ec2net status: something differs from what it should be.
    case drift = 1
    case usage = 64
    /// IMDS returned a value that does not validate: refused, nothing changed.
    case badMetadata = 65
    /// Not an interface ec2net manages: excluded, virtual, admin-owned, gone.
    case notOurs = 69
    /// A file could not be written (read-only or full /run): nothing partial left.
    case cannotWrite = 73
    /// IMDS unreachable or not propagated yet: the boot scan or timer retries.
    case tryLater = 75
    /// IMDS answered, but not valid HTTP.
    case imdsProtocol = 76
    /// IMDS answered 403: disabled for this instance; retrying will not help.
    case imdsForbidden = 77
    case configuration = 78
    /// ec2net status: the kernel's state could not be read over rtnetlink.
    case osError = 71

    static func forError(_ error: Error) -> ExitCode {
        switch error {
        case let e as MetadataReadError:
            switch e {
            case .imds(let i): return forIMDS(i)
            case .invalid: return .badMetadata
            case .notPropagated: return .tryLater
            }
        case let e as IMDSError: return forIMDS(e)
        case is FileError: return .cannotWrite
        case is UsageError: return .usage
        default: return .tryLater
        }
    }

    static func forIMDS(_ e: IMDSError) -> ExitCode {
        switch e {
        case .unreachable, .status: return .tryLater
        case .forbidden: return .imdsForbidden
        case .tokenRefused, .protocolError, .notText: return .imdsProtocol
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}
