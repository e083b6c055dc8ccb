import EC2NetCore
import EC2NetSystem

/// sysexits(3) codes, documented in the README (a test checks the table
/// there against this enum) and in the man pages.
enum ExitCode: Int32, CaseIterable, Comparable {
    case ok = 0
    /// ec2net status: something differs from what it should be.
    case drift = 1
    case usage = 64
    /// IMDS returned a value that does not validate: refused, nothing changed.
    case badMetadata = 65
    /// Not an interface ec2net manages: excluded, virtual, admin-owned, gone.
    case notOurs = 69
    /// Something that cannot happen did (sysfs gave a MAC that does not
    /// parse): retrying will not help.
    case software = 70
    /// A file could not be written (read-only or full /run): nothing partial left.
    case cannotWrite = 73
    /// sysfs could not be read for a reason other than absence: the list of
    /// interfaces is unknown, nothing removed.
    case ioError = 74
    /// IMDS unreachable or not propagated yet: the boot scan or timer retries.
    case tryLater = 75
    /// IMDS answered, but not valid HTTP.
    case imdsProtocol = 76
    /// IMDS answered 403: disabled for this instance; retrying will not help.
    case imdsForbidden = 77
    case configuration = 78
    /// An operating-system service failed: `networkctl reload` (the reload
    /// stays pending for the next run), or, for ec2net status, rtnetlink.
    case osError = 71

    static func < (a: ExitCode, b: ExitCode) -> Bool { a.rawValue < b.rawValue }

    /// Most serious first: what a scan of many ENIs exits with when they end
    /// differently (mostSerious). Refused metadata and file or
    /// configuration errors rank above "try later": the unit takes 75 for
    /// success (SuccessExitStatus=75), so a 75 must never hide them.
    static let severity: [ExitCode] = [
        .software, .configuration, .cannotWrite, .ioError, .osError, .badMetadata,
        .imdsForbidden, .imdsProtocol, .usage, .drift, .notOurs, .tryLater, .ok,
    ]

    /// The most serious of `codes` by `severity`; .ok for none.
    static func mostSerious(_ codes: [ExitCode]) -> ExitCode {
        for code in severity where codes.contains(code) { return code }
        return .ok
    }

    /// Every error a command can end with, each to its code; no default.
    static func of(_ error: CommandError) -> ExitCode {
        switch error {
        case .usage: return .usage
        case .pipeline(let e): return of(e)
        case .kernelUnreadable: return .osError
        case .stateUnreadable: return .ioError
        }
    }

    static func of(_ error: PipelineError) -> ExitCode {
        switch error {
        case .metadata(let e): return of(e)
        case .file(.unreadableConfiguration): return .configuration
        // Another run held a lock to the deadline: it is working, and owes
        // (or performs) the reload; the marker stays in any case.
        case .file(.lockTimedOut), .reload(.lock(.lockTimedOut)): return .tryLater
        case .file: return .cannotWrite
        case .configuration: return .configuration
        case .interfaceState: return .software
        case .sysfs(.unreadable): return .ioError
        case .sysfs(.badMAC): return .software
        case .reload: return .osError
        }
    }

    static func of(_ error: MetadataReadError) -> ExitCode {
        switch error {
        case .imds(let e): return of(e)
        case .invalid: return .badMetadata
        case .notPropagated: return .tryLater
        }
    }

    static func of(_ error: IMDSError) -> ExitCode {
        switch error {
        case .unreachable, .status: return .tryLater
        case .forbidden: return .imdsForbidden
        case .tokenRefused, .protocolError, .notText: return .imdsProtocol
        }
    }

    static func of(_ outcome: ConfigureOutcome) -> ExitCode {
        switch outcome {
        case .excluded, .adminOwned: return .notOurs
        case .configured, .unchanged, .noAddresses, .inert: return .ok
        }
    }
}
