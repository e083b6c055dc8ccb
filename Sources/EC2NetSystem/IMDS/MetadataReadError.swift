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
            return "\(what) for \(mac) did not propagate to IMDS within \(Self.wholeSeconds(waited)) s"
        }
    }

    /// A wait (>= 0) rounded to the nearest second, halves up, as
    /// Double.rounded() does, without libm (round(3)).
    static func wholeSeconds(_ waited: Double) -> Int {
        let whole = Int(waited)
        return waited - Double(whole) >= 0.5 ? whole + 1 : whole
    }
}
