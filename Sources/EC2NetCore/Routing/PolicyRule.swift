/// A kernel policy rule with every selector the kernel matches on, and its
/// action. One type for a rule read back from the kernel (RTM_NEWRULE), one
/// a generated file asks for (`From= Priority= Table=`), one an admin's
/// file asks for, and the RTM_DELRULE ec2net sends: "the same rule" is `==`.
///
/// Not part of the value: the rule's protocol (`proto static`, who added
/// it) and the kernel's state flags (unresolved goto, detached iif/oif),
/// which say nothing about what the rule matches.
public struct PolicyRule: Hashable, Sendable, CustomStringConvertible {
    /// fib_rule_hdr.action (FR_ACT_*); the goto target rides along.
    public enum Action: Hashable, Sendable {
        case table
        case goto(priority: Int)
        case nop
        case blackhole
        case unreachable
        case prohibit
        /// An action number ec2net does not know.
        case other(UInt8)
    }

    /// `fwmark VALUE/MASK`; the kernel reports a bare mark with mask 0xffffffff.
    public struct FirewallMark: Hashable, Sendable {
        public let value: UInt32
        public let mask: UInt32
        public init(value: UInt32, mask: UInt32 = 0xffff_ffff) {
            self.value = value
            self.mask = mask
        }
    }

    /// An inclusive range (ports, uids), as FRA_*_RANGE carry them.
    public struct InclusiveRange<Bound: FixedWidthInteger & Sendable>: Hashable, Sendable {
        public let start: Bound
        public let end: Bound
        public init(_ start: Bound, _ end: Bound) {
            self.start = start
            self.end = end
        }
    }

    /// An attribute the decoder does not know, kept so that it makes the
    /// rule unequal to every rule ec2net asked for (it may narrow the match).
    public struct OpaqueSelector: Hashable, Sendable {
        public let type: UInt16
        public let bytes: [UInt8]
        public init(type: UInt16, bytes: [UInt8]) {
            self.type = type
            self.bytes = bytes
        }
    }

    public var family: IPFamily
    /// `from`; nil for `from all`.
    public var source: RuleSource?
    /// `to`; nil for `to all`.
    public var destination: RuleSource?
    public var tos: UInt8 = 0
    public var firewallMark: FirewallMark?
    public var incomingInterface: String?
    public var outgoingInterface: String?
    /// `not`: the selectors' match is inverted.
    public var inverted = false
    public var action: Action = .table
    public var table: Int
    public var priority: Int
    public var ipProtocol: UInt8?
    public var sourcePorts: InclusiveRange<UInt16>?
    public var destinationPorts: InclusiveRange<UInt16>?
    public var users: InclusiveRange<UInt32>?
    public var l3MasterDevice = false
    /// nil when unset (the kernel reports 0xffffffff).
    public var suppressPrefixLength: Int?
    public var unknown: [OpaqueSelector] = []

    public init(family: IPFamily, table: Int, priority: Int) {
        self.family = family
        self.table = table
        self.priority = priority
    }

    /// ec2net's shape: `from SOURCE lookup TABLE priority TABLE`.
    public init(source: RuleSource, table: Int) {
        self.init(family: source.isIPv6 ? .ipv6 : .ipv4, table: table, priority: table)
        self.source = source
    }

    /// From text (`From=` of a generated file); nil when it does not parse.
    public init?(source text: Substring, table: Int) {
        guard let s = RuleSource(parsing: text) else { return nil }
        self.init(source: s, table: table)
    }

    public var isIPv6: Bool { family == .ipv6 }

    /// No selector but `from` (and its family): the rule catches every
    /// packet from its source, whatever its destination, mark or device.
    public var selectsBySourceOnly: Bool {
        destination == nil && tos == 0 && firewallMark == nil && incomingInterface == nil && outgoingInterface == nil
            && ipProtocol == nil && sourcePorts == nil && destinationPorts == nil && users == nil && !l3MasterDevice
            && unknown.isEmpty
    }

    /// Exactly what ec2net's renderer writes, at ec2net's priority range.
    public var hasEC2NetShape: Bool {
        source != nil && !inverted && action == .table && priority == table && selectsBySourceOnly && suppressPrefixLength == nil
            && PolicyRouting.ownedTables.contains(priority)
    }

    /// `ip rule`'s words, in its order.
    public var description: String {
        var w: [String] = [inverted ? "not from" : "from", source?.description ?? "all"]
        if let d = destination { w += ["to", d.description] }
        if tos != 0 { w += ["tos", "0x" + PolicyRule.hex(UInt32(tos))] }
        if let m = firewallMark {
            w += ["fwmark", "0x" + PolicyRule.hex(m.value) + (m.mask == 0xffff_ffff ? "" : "/0x" + PolicyRule.hex(m.mask))]
        }
        if let i = incomingInterface { w += ["iif", i] }
        if let o = outgoingInterface { w += ["oif", o] }
        if l3MasterDevice { w.append("l3mdev") }
        if let u = users { w += ["uidrange", "\(u.start)-\(u.end)"] }
        if let p = ipProtocol { w += ["ipproto", "\(p)"] }
        if let p = sourcePorts { w += ["sport", p.start == p.end ? "\(p.start)" : "\(p.start)-\(p.end)"] }
        if let p = destinationPorts { w += ["dport", p.start == p.end ? "\(p.start)" : "\(p.start)-\(p.end)"] }
        for u in unknown { w.append("attribute-\(u.type)") }
        switch action {
        case .table: w += ["lookup", "\(table)"]
        case .goto(let p): w += ["goto", "\(p)"]
        case .nop: w.append("nop")
        case .blackhole: w.append("blackhole")
        case .unreachable: w.append("unreachable")
        case .prohibit: w.append("prohibit")
        case .other(let a): w.append("action-\(a)")
        }
        if let s = suppressPrefixLength { w += ["suppress_prefixlength", "\(s)"] }
        w += ["priority", "\(priority)"]
        return w.joined(separator: " ")
    }

    static func hex(_ v: UInt32) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var out: [Character] = []
        var x = v
        repeat { out.append(digits[Int(x & 0xf)]); x >>= 4 } while x != 0
        return String(out.reversed())
    }

    /// The rules a generated file asks networkd for (every one has a Priority=).
    public static func rules(inGeneratedFile text: String) -> [PolicyRule] { rules(in: NetworkdFile(parsing: text)) }

    public static func rules(in file: NetworkdFile) -> [PolicyRule] {
        file.sections.filter { $0.is(.routingPolicyRule) }.flatMap { s in
            RuleRequest.requests(in: s).compactMap { r -> PolicyRule? in
                if case .exactly(let rule) = r { return rule }
                return nil
            }
        }
    }
}
