import Glibc
import EC2NetCore

/// Reads a KernelSnapshot with four kinds of rtnetlink dump requests, as
/// `ip link`, `ip addr`, `ip rule` and `ip route show table all` do. Dumps
/// only read: no privilege is needed and nothing in the kernel changes.
public final class NetlinkKernelState: KernelStateReader {
    static let RTM_GETLINK: UInt16 = 18
    static let RTM_GETADDR: UInt16 = 22
    static let RTM_GETROUTE: UInt16 = 26
    static let RTM_GETRULE: UInt16 = 34

    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// A dump request: nlmsghdr and a zeroed family header whose first byte
    /// is the address family (ifinfomsg 16 bytes, ifaddrmsg 8, rtmsg and
    /// fib_rule_hdr 12), byte for byte.
    public static func dumpRequest(type: UInt16, family: Int32, headerLength: Int, sequence: UInt32) -> NetlinkMessage {
        var m = NetlinkMessage(type: type, flags: NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, sequence: sequence)
        m.append8(UInt8(family))
        for _ in 1..<headerLength { m.append8(0) }
        return m
    }

    public func snapshot() throws(NetlinkError) -> KernelSnapshot {
        var s = KernelSnapshot()
        s.links = try dump(NetlinkKernelState.RTM_GETLINK, AF_UNSPEC, KernelDumpDecoder.linkHeader, "list links")
            .compactMap(KernelDumpDecoder.link)
        s.addresses = try dump(NetlinkKernelState.RTM_GETADDR, AF_UNSPEC, KernelDumpDecoder.addressHeader, "list addresses")
            .compactMap(KernelDumpDecoder.address)
        for family in [AF_INET, AF_INET6] {
            s.rules += try rules(family: family)
            s.routes += try routes(family: family)
        }
        return s
    }

    /// Every policy rule of one family.
    public func rules(family: Int32) throws(NetlinkError) -> [KernelSnapshot.Rule] {
        try dump(NetlinkKernelState.RTM_GETRULE, family, KernelDumpDecoder.routeHeader, "list rules")
            .compactMap(KernelDumpDecoder.rule)
    }

    /// Every route of one family, all tables.
    public func routes(family: Int32) throws(NetlinkError) -> [KernelSnapshot.Route] {
        try dump(NetlinkKernelState.RTM_GETROUTE, family, KernelDumpDecoder.routeHeader, "list routes")
            .compactMap(KernelDumpDecoder.route)
    }

    private func dump(_ type: UInt16, _ family: Int32, _ header: Int, _ operation: String) throws(NetlinkError) -> [NetlinkReply] {
        try channel.dump(NetlinkKernelState.dumpRequest(type: type, family: family, headerLength: header,
                                                        sequence: channel.nextSequence()), operation: operation)
    }
}
