import EC2NetCore

/// Why an ENI snapshot could not be taken.
public enum MetadataReadError: Error, CustomStringConvertible {
    case imds(IMDSError)
    case invalid(MetadataError)
    /// The MAC is not (yet) in IMDS, or its device-number/network-card did
    /// not propagate before the deadline: the boot scan or timer will retry.
    case notPropagated(MACAddress, what: String, waited: Double)

    public var description: String {
        switch self {
        case .imds(let e): return e.description
        case .invalid(let e): return "refusing metadata: \(e)"
        case .notPropagated(let mac, let what, let waited):
            return "\(what) for \(mac) did not propagate to IMDS within \(Int(waited.rounded())) s"
        }
    }
}
