/// What a policy rule matches on: `from` an address or prefix, kept typed so
/// a rule read from the kernel, one read from a generated file and the
/// bytes of an RTM_DELRULE all come from the same value (a bare address is
/// its /32 or /128). KernelSnapshot keeps the kernel's addresses, route
/// destinations and gateways in it too, so status compares values, not text.
public enum RuleSource: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4CIDR)
    case ipv6(IPv6CIDR)

    public init?(parsing text: Substring) {
        if text.contains("/") {
            if let c = try? IPv4CIDR(parsing: text) { self = .ipv4(c); return }
            if let c = try? IPv6CIDR(parsing: text) { self = .ipv6(c); return }
            return nil
        }
        if let a = try? IPv4Address(parsing: text) { self = .ipv4(IPv4CIDR(address: a, prefixLength: 32)); return }
        if let a = try? IPv6Address(parsing: text) { self = .ipv6(IPv6CIDR(address: a, prefixLength: 128)); return }
        return nil
    }

    public var isIPv6: Bool { if case .ipv6 = self { return true } else { return false } }

    /// The address in network byte order, as netlink's FRA_SRC carries it.
    public var addressBytes: [UInt8] {
        switch self {
        case .ipv4(let c): return c.address.bytes
        case .ipv6(let c): return c.address.bytes
        }
    }

    public var prefixLength: Int {
        switch self {
        case .ipv4(let c): return c.prefixLength
        case .ipv6(let c): return c.prefixLength
        }
    }

    /// Whether every address of `other` is inside this block (same family).
    public func contains(_ other: RuleSource) -> Bool {
        guard isIPv6 == other.isIPv6, prefixLength <= other.prefixLength else { return false }
        let a = addressBytes, b = other.addressBytes
        for bit in 0..<prefixLength where (a[bit / 8] ^ b[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
        return true
    }

    public var description: String {
        switch self {
        case .ipv4(let c): return c.description
        case .ipv6(let c): return c.description
        }
    }
}
