import CLinux
import EC2NetCore

/// Decodes the kernel's replies to rtnetlink dumps (RTM_NEWLINK,
/// RTM_NEWADDR, RTM_NEWRULE, RTM_NEWROUTE) into KernelSnapshot values, the
/// fixed headers through their structs (InterfaceInfoMessage,
/// AddressMessage, RuleMessage, RouteMessage). A message too short for its
/// header, or without what the value needs, decodes to nil.
public enum KernelDumpDecoder {
    private typealias Message = RTNetlink.MessageType

    public static func link(_ r: NetlinkReply) -> KernelSnapshot.Link? {
        guard r.type == Message.newLink, let h = r.header(InterfaceInfoMessage.self) else { return nil }
        var name: String? = nil, mac: MACAddress? = nil, alt: [String] = []
        for a in r.attributes(after: InterfaceInfoMessage.self) {
            switch a.type {
            case RTNetlink.LinkAttribute.name: name = string(a.value)
            case RTNetlink.LinkAttribute.address where a.value.count == 6: mac = MACAddress(bytes: a.value)
            case RTNetlink.LinkAttribute.propertyList:
                alt += NetlinkReply.attributes(in: a.value, from: 0)
                    .filter { $0.type == RTNetlink.LinkAttribute.alternativeName }.map { string($0.value) }
            default: break
            }
        }
        guard let name else { return nil }
        return KernelSnapshot.Link(index: Int(h.index), name: name, mac: mac, altNames: alt)
    }

    public static func address(_ r: NetlinkReply) -> KernelSnapshot.Address? {
        guard r.type == Message.newAddress, let h = r.header(AddressMessage.self) else { return nil }
        var local: [UInt8]? = nil, address: [UInt8]? = nil
        for a in r.attributes(after: AddressMessage.self) {
            if a.type == RTNetlink.AddressAttribute.local { local = a.value }
            else if a.type == RTNetlink.AddressAttribute.address { address = a.value }
        }
        // IFA_LOCAL is the interface's own address (IFA_ADDRESS the peer's on point-to-point links).
        guard let bytes = local ?? address, let typed = ruleSource(family: h.family, bytes: bytes, length: h.prefixLength) else { return nil }
        return KernelSnapshot.Address(interfaceIndex: Int(h.index), address: typed)
    }

    /// RTM_NEWRULE as the typed rule, every selector kept: fib_rule_hdr
    /// (family, dst_len, src_len, tos, table, action, the invert flag) and
    /// the attributes net/core/fib_rules.c fib_nl_fill_rule and
    /// fib4_rule_fill/fib6_rule_fill put. FRA_PROTOCOL is who added the rule,
    /// not a selector; FRA_SUPPRESS_PREFIXLEN 0xffffffff means unset. An
    /// attribute not known here, or one of the wrong size, is kept opaque so
    /// the rule equals no rule ec2net asked for.
    public static func rule(_ r: NetlinkReply) -> PolicyRule? {
        guard r.type == Message.newRule, let h = r.header(RuleMessage.self), let family = family(h.family) else { return nil }
        typealias A = RTNetlink.RuleAttribute
        var rule = PolicyRule(family: family, table: Int(h.table), priority: 0)
        rule.tos = h.tos
        rule.inverted = h.flags & RTNetlink.ruleInvert != 0
        var mark: UInt32 = 0, mask: UInt32 = 0, target = 0
        for a in r.attributes(after: RuleMessage.self) {
            let v = a.value
            switch a.type {
            case A.source where ruleSource(family: h.family, bytes: v, length: h.sourceLength) != nil:
                rule.source = ruleSource(family: h.family, bytes: v, length: h.sourceLength)
            case A.destination where ruleSource(family: h.family, bytes: v, length: h.destinationLength) != nil:
                rule.destination = ruleSource(family: h.family, bytes: v, length: h.destinationLength)
            case A.incomingInterface: rule.incomingInterface = string(v)
            case A.outgoingInterface: rule.outgoingInterface = string(v)
            case A.priority where v.count == 4: rule.priority = Int(u32(v))
            case A.table where v.count == 4: rule.table = Int(u32(v))
            case A.gotoTarget where v.count == 4: target = Int(u32(v))
            case A.firewallMark where v.count == 4: mark = u32(v)
            case A.firewallMask where v.count == 4: mask = u32(v)
            case A.suppressPrefixLength where v.count == 4: rule.suppressPrefixLength = u32(v) == UInt32.max ? nil : Int(u32(v))
            case A.l3MasterDevice where v.count == 1: rule.l3MasterDevice = v[0] != 0
            case A.ipProtocol where v.count == 1: rule.ipProtocol = v[0] == 0 ? nil : v[0]
            case A.uidRange where v.count == 8:
                rule.users = .init(HostOrder.read(UInt32.self, v, at: 0), HostOrder.read(UInt32.self, v, at: 4))
            case A.sourcePortRange where v.count == 4:
                rule.sourcePorts = .init(HostOrder.read(UInt16.self, v, at: 0), HostOrder.read(UInt16.self, v, at: 2))
            case A.destinationPortRange where v.count == 4:
                rule.destinationPorts = .init(HostOrder.read(UInt16.self, v, at: 0), HostOrder.read(UInt16.self, v, at: 2))
            case A.protocolOrigin where v.count == 1, A.pad:
                break
            default:
                rule.unknown.append(.init(type: a.type, bytes: v))
            }
        }
        if mark != 0 || mask != 0 { rule.firewallMark = .init(value: mark, mask: mask) }
        switch h.action {
        case RTNetlink.RuleAction.toTable: rule.action = .table
        case RTNetlink.RuleAction.goto: rule.action = .goto(priority: target)
        case RTNetlink.RuleAction.nop: rule.action = .nop
        case RTNetlink.RuleAction.blackhole: rule.action = .blackhole
        case RTNetlink.RuleAction.unreachable: rule.action = .unreachable
        case RTNetlink.RuleAction.prohibit: rule.action = .prohibit
        default: rule.action = .other(h.action)
        }
        // A prefix length without its address: something this decoder does not understand.
        if h.sourceLength != 0 && rule.source == nil { rule.unknown.append(.init(type: A.source, bytes: [h.sourceLength])) }
        if h.destinationLength != 0 && rule.destination == nil {
            rule.unknown.append(.init(type: A.destination, bytes: [h.destinationLength]))
        }
        return rule
    }

    static func u32(_ v: [UInt8]) -> UInt32 { HostOrder.read(UInt32.self, v, at: 0) }

    /// Address bytes and a prefix length as a typed prefix (a rule's selector,
    /// an address, a route's destination; a gateway at full length).
    static func ruleSource(family value: UInt8, bytes b: [UInt8], length: UInt8) -> RuleSource? {
        switch family(value) {
        case .ipv4? where b.count == 4 && length <= 32:
            return .ipv4(IPv4CIDR(address: IPv4Address(u32BigEndian(b)), prefixLength: Int(length)))
        case .ipv6? where b.count == 16 && length <= 128:
            return .ipv6(IPv6CIDR(address: IPv6Address(bytes: b), prefixLength: Int(length)))
        default:
            return nil
        }
    }

    static func u32BigEndian(_ b: [UInt8]) -> UInt32 {
        UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    public static func route(_ r: NetlinkReply) -> KernelSnapshot.Route? {
        guard r.type == Message.newRoute, let h = r.header(RouteMessage.self), let family = family(h.family) else { return nil }
        var table = Int(h.table)
        var destination: RuleSource? = h.destinationLength == 0 ? KernelSnapshot.Route.defaultDestination(family) : nil
        var oif: Int? = nil, metric = 0, gateway: RuleSource? = nil
        let fullLength: UInt8 = family == .ipv4 ? 32 : 128
        for a in r.attributes(after: RouteMessage.self) {
            switch a.type {
            case RTNetlink.RouteAttribute.destination: destination = ruleSource(family: h.family, bytes: a.value, length: h.destinationLength)
            case RTNetlink.RouteAttribute.gateway: gateway = ruleSource(family: h.family, bytes: a.value, length: fullLength)
            case RTNetlink.RouteAttribute.outputInterface where a.value.count == 4: oif = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            case RTNetlink.RouteAttribute.priority where a.value.count == 4: metric = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            case RTNetlink.RouteAttribute.table where a.value.count == 4: table = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            default: break
            }
        }
        guard let destination else { return nil }
        return KernelSnapshot.Route(family: family, table: table, destination: destination, interfaceIndex: oif,
                                    metric: metric, type: Int(h.type), gateway: gateway)
    }

    static func family(_ value: UInt8) -> IPFamily? {
        switch Int32(value) {
        case AF_INET: return .ipv4
        case AF_INET6: return .ipv6
        default: return nil
        }
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
