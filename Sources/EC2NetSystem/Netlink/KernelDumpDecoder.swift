import Glibc
import EC2NetCore

/// Decodes the kernel's replies to rtnetlink dumps (RTM_NEWLINK,
/// RTM_NEWADDR, RTM_NEWRULE, RTM_NEWROUTE) into KernelSnapshot values.
/// Field offsets are those of the fixed headers in linux/rtnetlink.h,
/// linux/if_addr.h and linux/fib_rules.h; a message too short for its
/// header, or without what the value needs, decodes to nil.
public enum KernelDumpDecoder {
    public static let RTM_NEWLINK: UInt16 = 16
    public static let RTM_NEWADDR: UInt16 = 20
    public static let RTM_NEWROUTE: UInt16 = 24
    public static let RTM_NEWRULE: UInt16 = 32

    /// struct ifinfomsg: family, pad, type(2), index(4), flags(4), change(4).
    static let linkHeader = 16
    static let IFLA_ADDRESS: UInt16 = 1
    static let IFLA_IFNAME: UInt16 = 3
    static let IFLA_PROP_LIST: UInt16 = 52
    static let IFLA_ALT_IFNAME: UInt16 = 53

    /// struct ifaddrmsg: family, prefixlen, flags, scope, index(4).
    static let addressHeader = 8
    static let IFA_ADDRESS: UInt16 = 1
    static let IFA_LOCAL: UInt16 = 2

    /// struct rtmsg / struct fib_rule_hdr: family, dst_len, src_len, tos,
    /// table, protocol|res1, scope|res2, type|action, flags(4).
    static let routeHeader = 12
    static let RTA_DST: UInt16 = 1
    static let RTA_OIF: UInt16 = 4
    static let RTA_PRIORITY: UInt16 = 6
    static let RTA_TABLE: UInt16 = 15
    static let FRA_SRC: UInt16 = 2
    static let FRA_PRIORITY: UInt16 = 6
    static let FRA_TABLE: UInt16 = 15

    public static func link(_ r: NetlinkReply) -> KernelSnapshot.Link? {
        guard r.type == RTM_NEWLINK, r.payload.count >= linkHeader else { return nil }
        let index = Int(Int32(bitPattern: NetlinkReply.read32(r.payload, 4)))
        var name: String? = nil, mac: MACAddress? = nil, alt: [String] = []
        for a in r.attributes(after: linkHeader) {
            switch a.type {
            case IFLA_IFNAME: name = string(a.value)
            case IFLA_ADDRESS where a.value.count == 6: mac = MACAddress(bytes: a.value)
            case IFLA_PROP_LIST:
                alt += NetlinkReply.attributes(in: a.value, from: 0).filter { $0.type == IFLA_ALT_IFNAME }.map { string($0.value) }
            default: break
            }
        }
        guard let name else { return nil }
        return KernelSnapshot.Link(index: index, name: name, mac: mac, altNames: alt)
    }

    public static func address(_ r: NetlinkReply) -> KernelSnapshot.Address? {
        guard r.type == RTM_NEWADDR, r.payload.count >= addressHeader else { return nil }
        let length = Int(r.payload[1])
        var local: [UInt8]? = nil, address: [UInt8]? = nil
        for a in r.attributes(after: addressHeader) {
            if a.type == IFA_LOCAL { local = a.value } else if a.type == IFA_ADDRESS { address = a.value }
        }
        // IFA_LOCAL is the interface's own address (IFA_ADDRESS the peer's on point-to-point links).
        guard let bytes = local ?? address, let cidr = cidr(family: r.payload[0], bytes: bytes, length: length) else { return nil }
        return KernelSnapshot.Address(interfaceIndex: Int(NetlinkReply.read32(r.payload, 4)), cidr: cidr)
    }

    public static func rule(_ r: NetlinkReply) -> KernelSnapshot.Rule? {
        guard r.type == RTM_NEWRULE, r.payload.count >= routeHeader, let family = family(r.payload[0]) else { return nil }
        var table = Int(r.payload[4]), priority = 0, source: String? = nil
        for a in r.attributes(after: routeHeader) {
            switch a.type {
            case FRA_SRC: source = cidr(family: r.payload[0], bytes: a.value, length: Int(r.payload[2]))
            case FRA_PRIORITY where a.value.count == 4: priority = Int(NetlinkReply.read32(a.value, 0))
            case FRA_TABLE where a.value.count == 4: table = Int(NetlinkReply.read32(a.value, 0))
            default: break
            }
        }
        return KernelSnapshot.Rule(family: family, priority: priority, table: table, source: source)
    }

    public static func route(_ r: NetlinkReply) -> KernelSnapshot.Route? {
        guard r.type == RTM_NEWROUTE, r.payload.count >= routeHeader, let family = family(r.payload[0]) else { return nil }
        let length = Int(r.payload[1])
        var table = Int(r.payload[4]), destination: String? = length == 0 ? "default" : nil
        var oif: Int? = nil, metric = 0
        for a in r.attributes(after: routeHeader) {
            switch a.type {
            case RTA_DST: destination = cidr(family: r.payload[0], bytes: a.value, length: length)
            case RTA_OIF where a.value.count == 4: oif = Int(NetlinkReply.read32(a.value, 0))
            case RTA_PRIORITY where a.value.count == 4: metric = Int(NetlinkReply.read32(a.value, 0))
            case RTA_TABLE where a.value.count == 4: table = Int(NetlinkReply.read32(a.value, 0))
            default: break
            }
        }
        guard let destination else { return nil }
        return KernelSnapshot.Route(family: family, table: table, destination: destination, interfaceIndex: oif,
                                    metric: metric, type: Int(r.payload[7]))
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
