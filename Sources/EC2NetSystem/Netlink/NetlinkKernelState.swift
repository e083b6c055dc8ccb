import CLinux
import EC2NetCore

/// Reads a KernelSnapshot with four kinds of rtnetlink dump requests, as
/// `ip link`, `ip addr`, `ip rule` and `ip route show table all` do. Dumps
/// only read: no privilege is needed and nothing in the kernel changes.
public final class NetlinkKernelState: KernelStateReader {
    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// A dump request: nlmsghdr and the type's fixed header, zero but for
    /// the address family, byte for byte.
    public static func dumpRequest<H: NetlinkFixedHeader>(type: UInt16, header: H, sequence: UInt32) -> NetlinkMessage {
        NetlinkMessage(type: type, flags: RTNetlink.Flag.request | RTNetlink.Flag.dump, sequence: sequence, header: header)
    }

    public func snapshot() throws(NetlinkError) -> KernelSnapshot {
        var s = KernelSnapshot()
        s.links = try dump(RTNetlink.MessageType.getLink, InterfaceInfoMessage(family: UInt8(AF_UNSPEC)), "list links")
            .compactMap(KernelDumpDecoder.link)
        s.addresses = try dump(RTNetlink.MessageType.getAddress, AddressMessage(family: UInt8(AF_UNSPEC)), "list addresses")
            .compactMap(KernelDumpDecoder.address)
        for family in [AF_INET, AF_INET6] {
            s.rules += try rules(family: family)
            s.routes += try routes(family: family)
        }
        return s
    }

    /// Every policy rule of one family.
    public func rules(family: Int32) throws(NetlinkError) -> [PolicyRule] {
        try dump(RTNetlink.MessageType.getRule, RuleMessage(family: UInt8(family)), "list rules")
            .compactMap(KernelDumpDecoder.rule)
    }

    /// Every route of one family, all tables.
    public func routes(family: Int32) throws(NetlinkError) -> [KernelSnapshot.Route] {
        try dump(RTNetlink.MessageType.getRoute, RouteMessage(family: UInt8(family)), "list routes")
            .compactMap(KernelDumpDecoder.route)
    }

    private func dump<H: NetlinkFixedHeader>(_ type: UInt16, _ header: H, _ operation: String) throws(NetlinkError) -> [NetlinkReply] {
        try channel.dump(NetlinkKernelState.dumpRequest(type: type, header: header, sequence: channel.nextSequence()),
                         operation: operation)
    }
}
