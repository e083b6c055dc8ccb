/// What IMDS does not show yet for a hot-plugged ENI (it propagates
/// seconds after the attachment): waited for, then reported.
public enum PendingMetadata: Equatable, Sendable, CustomStringConvertible {
    /// The MAC is not listed under network/interfaces/macs/.
    case mac
    /// The key is absent, or device-number still 0 on a secondary ENI.
    case key(MetadataKey)
    /// The listing advertises the key but it answered 404 or an empty body.
    case listedButMissing(MetadataKey)

    public var description: String {
        switch self {
        case .mac: return "the MAC"
        case .key(let k): return k.rawValue
        case .listedButMissing(let k): return "\(k.rawValue) (listed, but answered 404 or empty)"
        }
    }
}
