/// IPv4 or IPv6: which kind of address, route or rule a value is about.
public enum IPFamily: String, Hashable, Comparable, Sendable, CaseIterable {
    case ipv4
    case ipv6

    /// The family of an address or CIDR in text form (`10.0.0.5`, `2600::/64`).
    public init(ofText text: Substring) { self = text.contains(":") ? .ipv6 : .ipv4 }

    public var label: String { self == .ipv4 ? "IPv4" : "IPv6" }

    public static func < (a: IPFamily, b: IPFamily) -> Bool { a == .ipv4 && b == .ipv6 }
}
