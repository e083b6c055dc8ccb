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
        guard let bytes = local ?? address, let cidr = cidr(family: h.family, bytes: bytes, length: Int(h.prefixLength)) else { return nil }
        return KernelSnapshot.Address(interfaceIndex: Int(h.index), cidr: cidr)
    }

    public static func rule(_ r: NetlinkReply) -> KernelSnapshot.Rule? {
        guard r.type == Message.newRule, let h = r.header(RuleMessage.self), let family = family(h.family) else { return nil }
        var table = Int(h.table), priority = 0, source: String? = nil
        for a in r.attributes(after: RuleMessage.self) {
            switch a.type {
            case RTNetlink.RuleAttribute.source: source = cidr(family: h.family, bytes: a.value, length: Int(h.sourceLength))
            case RTNetlink.RuleAttribute.priority where a.value.count == 4: priority = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            case RTNetlink.RuleAttribute.table where a.value.count == 4: table = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            default: break
            }
        }
        return KernelSnapshot.Rule(family: family, priority: priority, table: table, source: source)
    }

    public static func route(_ r: NetlinkReply) -> KernelSnapshot.Route? {
        guard r.type == Message.newRoute, let h = r.header(RouteMessage.self), let family = family(h.family) else { return nil }
        let length = Int(h.destinationLength)
        var table = Int(h.table), destination: String? = length == 0 ? "default" : nil
        var oif: Int? = nil, metric = 0
        for a in r.attributes(after: RouteMessage.self) {
            switch a.type {
            case RTNetlink.RouteAttribute.destination: destination = cidr(family: h.family, bytes: a.value, length: length)
            case RTNetlink.RouteAttribute.outputInterface where a.value.count == 4: oif = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            case RTNetlink.RouteAttribute.priority where a.value.count == 4: metric = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            case RTNetlink.RouteAttribute.table where a.value.count == 4: table = Int(HostOrder.read(UInt32.self, a.value, at: 0))
            default: break
            }
        }
        guard let destination else { return nil }
        return KernelSnapshot.Route(family: family, table: table, destination: destination, interfaceIndex: oif,
                                    metric: metric, type: Int(h.type))
    }

    static func family(_ value: UInt8) -> IPFamily? {
        switch Int32(value) {
        case AF_INET: return .ipv4
        case AF_INET6: return .ipv6
        default: return nil
        }
    }

    /// Address bytes and a prefix length as canonical CIDR text.
    static func cidr(family value: UInt8, bytes b: [UInt8], length: Int) -> String? {
        switch family(value) {
        case .ipv4? where b.count == 4 && length <= 32:
            return "\(IPv4Address(UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])))/\(length)"
        case .ipv6? where b.count == 16 && length <= 128:
            return "\(IPv6Address(bytes: b))/\(length)"
        default:
            return nil
        }
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
