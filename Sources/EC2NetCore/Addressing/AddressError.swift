/// Why a value from IMDS, the configuration or sysfs was refused.
public enum AddressError: Error, Equatable, CustomStringConvertible {
    case invalidIPv4(String)
    case invalidIPv6(String)
    case invalidCIDR(String)
    case invalidMAC(String)
    case invalidInteger(String)
    case outOfRange(String, ClosedRange<Int>)
    case invalidInterfaceID(String)

    public var description: String {
        switch self {
        case .invalidIPv4(let s): return "not an IPv4 address: \(Printable.quote(s))"
        case .invalidIPv6(let s): return "not an IPv6 address: \(Printable.quote(s))"
        case .invalidCIDR(let s): return "not a CIDR block: \(Printable.quote(s))"
        case .invalidMAC(let s): return "not a MAC address: \(Printable.quote(s))"
        case .invalidInteger(let s): return "not an integer: \(Printable.quote(s))"
        case .outOfRange(let s, let r): return "\(Printable.quote(s)) is outside \(r.lowerBound)...\(r.upperBound)"
        case .invalidInterfaceID(let s): return "not an ENI id (eni- and 8 or 17 hex digits): \(Printable.quote(s))"
        }
    }
}
