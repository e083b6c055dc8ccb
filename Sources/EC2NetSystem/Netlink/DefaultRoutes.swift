import CLinux
import EC2NetCore

/// Reads the main table's default routes over rtnetlink, to check which
/// interface default traffic leaves through.
public final class DefaultRoutes: DefaultRouteSource {
    public struct Route: Equatable {
        public let interfaceIndex: UInt32
        public let metric: UInt32
    }

    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    public func preferred(_ family: IPFamily) throws(NetlinkError) -> PreferredDefaultRoute? {
        guard let r = try preferred(family: family) else { return nil }
        var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard let name = if_indextoname(r.interfaceIndex, &buf) else { return nil }  // gone meanwhile
        return PreferredDefaultRoute(interface: String(cString: name), metric: r.metric)
    }

    /// The main-table default route with the lowest metric, if any.
    public func preferred(family: IPFamily) throws(NetlinkError) -> Route? {
        let routes = try NetlinkKernelState(channel: channel).routes(family: family == .ipv4 ? AF_INET : AF_INET6)
        guard let best = KernelSnapshot(routes: routes).preferredDefault(family), let oif = best.interfaceIndex else { return nil }
        return Route(interfaceIndex: UInt32(oif), metric: UInt32(best.metric))
    }
}
