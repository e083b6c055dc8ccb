import Glibc
import EC2NetCore

/// Reads the main table's default routes over rtnetlink, to check which
/// interface default traffic leaves through.
public final class DefaultRoutes {
    public struct Route: Equatable {
        public let interfaceIndex: UInt32
        public let metric: UInt32
    }

    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// The main-table default route with the lowest metric, if any.
    public func preferred(family: Int32) throws(NetlinkError) -> Route? {
        let routes = try NetlinkKernelState(channel: channel).routes(family: family)
        guard let f = KernelDumpDecoder.family(UInt8(family)),
              let best = KernelSnapshot(routes: routes).preferredDefault(f), let oif = best.interfaceIndex else { return nil }
        return Route(interfaceIndex: UInt32(oif), metric: UInt32(best.metric))
    }
}
