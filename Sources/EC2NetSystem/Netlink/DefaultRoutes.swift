import Glibc

/// Reads the main table's default routes over rtnetlink, to check which
/// interface default traffic leaves through.
public final class DefaultRoutes: DefaultRouteSource {
    static let RTM_NEWROUTE: UInt16 = 24
    static let RTM_GETROUTE: UInt16 = 26
    static let RTA_OIF: UInt16 = 4
    static let RTA_PRIORITY: UInt16 = 6
    static let RTA_TABLE: UInt16 = 15
    static let RT_TABLE_MAIN: UInt32 = 254

    public struct Route: Equatable {
        public let interfaceIndex: UInt32
        public let metric: UInt32
    }

    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    public func preferred(_ family: AddressFamily) throws(NetlinkError) -> PreferredDefaultRoute? {
        guard let r = try preferred(family: family == .ipv4 ? AF_INET : AF_INET6) else { return nil }
        var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard let name = if_indextoname(r.interfaceIndex, &buf) else { return nil }  // gone meanwhile
        return PreferredDefaultRoute(interface: String(cString: name), metric: r.metric)
    }

    /// The main-table default route with the lowest metric, if any.
    public func preferred(family: Int32) throws(NetlinkError) -> Route? {
        var m = NetlinkMessage(type: DefaultRoutes.RTM_GETROUTE, flags: NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP,
                               sequence: channel.nextSequence())
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        m.append8(UInt8(family)); m.append8(0); m.append8(0); m.append8(0)
        m.append8(0); m.append8(0); m.append8(0); m.append8(0)
        m.append32(0)
        var best: Route? = nil
        for r in try channel.dump(m, operation: "list routes") where r.type == DefaultRoutes.RTM_NEWROUTE && r.payload.count >= 12 {
            guard r.payload[1] == 0, r.payload[7] == 1 /* RTN_UNICAST */ else { continue }
            var table = UInt32(r.payload[4]), oif: UInt32? = nil, metric: UInt32 = 0
            for a in r.attributes(after: 12) where a.value.count == 4 {
                switch a.type {
                case DefaultRoutes.RTA_TABLE: table = NetlinkReply.read32(a.value, 0)
                case DefaultRoutes.RTA_OIF: oif = NetlinkReply.read32(a.value, 0)
                case DefaultRoutes.RTA_PRIORITY: metric = NetlinkReply.read32(a.value, 0)
                default: break
                }
            }
            guard table == DefaultRoutes.RT_TABLE_MAIN, let o = oif else { continue }
            if best == nil || metric < best!.metric { best = Route(interfaceIndex: o, metric: metric) }
        }
        return best
    }
}
