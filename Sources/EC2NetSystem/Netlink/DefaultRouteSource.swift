import EC2NetCore

/// Which interface the main table's preferred default route leaves by.
public protocol DefaultRouteSource: AnyObject {
    func preferred(_ family: IPFamily) throws(NetlinkError) -> PreferredDefaultRoute?
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
