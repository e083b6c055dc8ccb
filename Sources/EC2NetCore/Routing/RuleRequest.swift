/// What one `[RoutingPolicyRule]` section asks systemd-networkd for, read
/// with networkd's key names and defaults (systemd.network(5)): Family=,
/// From=, To=, Table=, Priority=, FirewallMark=, IncomingInterface=,
/// OutgoingInterface=, InvertRule=, Type=, TypeOfService=, IPProtocol=,
/// SourcePort=, DestinationPort=, User=, SuppressPrefixLength=,
/// L3MasterDevice=. A later assignment wins, an empty one resets.
///
/// Used to tell whether some configuration still wants a kernel rule, so
/// every doubt leans towards "wanted": a section without `Priority=` wants
/// the rule at whatever priority the kernel gave it, and a section ec2net
/// cannot read fully (a table or user by name, a key it does not know)
/// wants every rule at its priority, or every rule at all.
public enum RuleRequest: Hashable, Sendable {
    case exactly(PolicyRule)
    case anyPriority(PolicyRule)
    case unreadable(priority: Int?)

    /// Whether this request is for the kernel rule `r`. For an action other
    /// than `table` the table is not compared (networkd still sends one).
    public func asks(for r: PolicyRule) -> Bool {
        switch self {
        case .exactly(var w):
            if w.action != .table { w.table = r.table }
            return w == r
        case .anyPriority(var w):
            if w.action != .table { w.table = r.table }
            w.priority = r.priority
            return w == r
        case .unreadable(let p):
            return p.map { $0 == r.priority } ?? true
        }
    }

    /// One section: one request, two for `Family=both` without an address.
    public static func requests(in s: NetworkdSection) -> [RuleRequest] {
        var values: [String: String] = [:]
        for e in s.entries { values[e.key] = e.value }
        let priority = values["Priority"].flatMap { $0.isEmpty ? nil : number($0, max: UInt64(UInt32.max)) }.map { Int($0) }
        guard let rules = rules(values) else { return [.unreadable(priority: priority)] }
        return rules.map { values["Priority"].map { $0.isEmpty } == false ? .exactly($0) : .anyPriority($0) }
    }

    static let keys: Set<String> = ["Family", "From", "To", "Table", "Priority", "FirewallMark", "IncomingInterface",
                                    "OutgoingInterface", "InvertRule", "Type", "TypeOfService", "IPProtocol", "SourcePort",
                                    "DestinationPort", "User", "SuppressPrefixLength", "L3MasterDevice"]

    /// nil when any key is unknown or any value does not parse.
    static func rules(_ v: [String: String]) -> [PolicyRule]? {
        for k in v.keys where !keys.contains(k) { return nil }
        func set(_ k: String) -> String? { v[k].flatMap { $0.isEmpty ? nil : $0 } }

        var source: RuleSource? = nil, destination: RuleSource? = nil
        if let t = set("From") { guard let s = RuleSource(parsing: Substring(t)) else { return nil }; source = s }
        if let t = set("To") { guard let d = RuleSource(parsing: Substring(t)) else { return nil }; destination = d }
        var families: [IPFamily]
        switch set("Family") {
        case nil: families = [.ipv4]
        case "ipv4": families = [.ipv4]
        case "ipv6": families = [.ipv6]
        case "both": families = [.ipv4, .ipv6]
        default: return nil
        }
        if let a = source ?? destination { families = [a.isIPv6 ? .ipv6 : .ipv4] }
        if let s = source, let d = destination, s.isIPv6 != d.isIPv6 { return nil }

        var rule = PolicyRule(family: families[0], table: 254, priority: 0)
        rule.source = source
        rule.destination = destination
        switch set("Table") {
        case nil, "main": rule.table = 254
        case "local": rule.table = 255
        case "default": rule.table = 253
        case let t?: guard let n = number(t, max: UInt64(UInt32.max)) else { return nil }; rule.table = Int(n)
        }
        if let p = set("Priority") { guard let n = number(p, max: UInt64(UInt32.max)) else { return nil }; rule.priority = Int(n) }
        switch set("Type") {
        case nil, "table": rule.action = .table
        case "blackhole": rule.action = .blackhole
        case "unreachable": rule.action = .unreachable
        case "prohibit": rule.action = .prohibit
        default: return nil
        }
        if let m = set("FirewallMark") {
            let parts = m.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let value = number(String(parts[0]), max: UInt64(UInt32.max)) else { return nil }
            var mask: UInt64 = value == 0 ? 0 : 0xffff_ffff
            if parts.count == 2 { guard let n = number(String(parts[1]), max: UInt64(UInt32.max)) else { return nil }; mask = n }
            if value != 0 || mask != 0 { rule.firewallMark = .init(value: UInt32(value), mask: UInt32(mask)) }
        }
        rule.incomingInterface = set("IncomingInterface")
        rule.outgoingInterface = set("OutgoingInterface")
        if let b = set("InvertRule") { guard let x = boolean(b) else { return nil }; rule.inverted = x }
        if let b = set("L3MasterDevice") { guard let x = boolean(b) else { return nil }; rule.l3MasterDevice = x }
        if let t = set("TypeOfService") { guard let n = number(t, max: 255) else { return nil }; rule.tos = UInt8(n) }
        if let p = set("IPProtocol") {
            guard let n = ipProtocols[p] ?? number(p, max: 255) else { return nil }
            rule.ipProtocol = n == 0 ? nil : UInt8(n)
        }
        if let p = set("SourcePort") { guard let r = range(p, max: 65535) else { return nil }; rule.sourcePorts = .init(UInt16(r.0), UInt16(r.1)) }
        if let p = set("DestinationPort") {
            guard let r = range(p, max: 65535) else { return nil }
            rule.destinationPorts = .init(UInt16(r.0), UInt16(r.1))
        }
        if let u = set("User") { guard let r = range(u, max: UInt64(UInt32.max)) else { return nil }; rule.users = .init(UInt32(r.0), UInt32(r.1)) }
        if let s = set("SuppressPrefixLength") {
            // 0-128 whatever the family, as networkd 252 reads it
            // (config_parse_routing_policy_rule_suppress_prefixlen:
            // parse_ip_prefix_length) and the kernel keeps it (a u32): an
            // IPv4 rule with 43 exists. fuzz-rule found the difference.
            guard let n = number(s, max: 128) else { return nil }
            rule.suppressPrefixLength = Int(n)
        }
        return families.map { f in
            var r = rule
            r.family = f
            return r
        }
    }

    /// IPProtocol= by name (the common ones; another name reads as unreadable).
    static let ipProtocols: [String: UInt64] = ["icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "icmpv6": 58,
                                                "sctp": 132, "udplite": 136]

    /// Decimal, or hexadecimal with `0x`.
    static func number(_ text: String, max: UInt64) -> UInt64? {
        let hex = text.hasPrefix("0x") || text.hasPrefix("0X")
        let digits = hex ? text.dropFirst(2) : Substring(text)
        guard !digits.isEmpty, digits.count <= 20, let n = UInt64(digits, radix: hex ? 16 : 10), n <= max else { return nil }
        return n
    }

    /// `N` or `A-B` with A <= B.
    static func range(_ text: String, max: UInt64) -> (UInt64, UInt64)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = number(String(parts[0]), max: max) else { return nil }
        guard parts.count == 2 else { return (a, a) }
        guard let b = number(String(parts[1]), max: max), a <= b else { return nil }
        return (a, b)
    }

    /// systemd's parse_boolean.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "yes", "y", "true", "t", "on": return true
        case "0", "no", "n", "false", "f", "off": return false
        default: return nil
        }
    }
}
