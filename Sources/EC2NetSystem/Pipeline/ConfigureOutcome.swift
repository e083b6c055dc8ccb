import EC2NetCore

/// What happened to one interface, for the log line and the exit code.
public enum ConfigureOutcome: Equatable {
    case configured(written: [String], removed: [String])
    case unchanged
    /// Excluded by configuration; its generated files (if any) were removed.
    case excluded(reason: String, removed: [String])
    /// An admin's file claims the interface.
    case adminOwned(file: String, removed: [String])
    /// The ENI has no IP address (EFA-only): nothing to configure; any
    /// config from before is removed.
    case noAddresses(removed: [String])
    /// `Manage=none`: ec2net is installed but inert.
    case inert

    public var changedFiles: Bool {
        switch self {
        case .configured(let w, let r): return !w.isEmpty || !r.isEmpty
        case .excluded(_, let r), .adminOwned(_, let r), .noAddresses(let r): return !r.isEmpty
        default: return false
        }
    }
}
