/// Which interface the main table's preferred default route leaves by.
public protocol DefaultRouteSource: AnyObject {
    func preferred(_ family: AddressFamily) throws(NetlinkError) -> PreferredDefaultRoute?
}

public enum AddressFamily: Sendable, CustomStringConvertible {
    case ipv4, ipv6

    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}

/// The lowest-metric main-table default route of one family.
public struct PreferredDefaultRoute: Equatable, Sendable {
    public let interface: String
    public let metric: UInt32

    public init(interface: String, metric: UInt32) {
        self.interface = interface
        self.metric = metric
    }
}
