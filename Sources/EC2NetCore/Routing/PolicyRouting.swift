/// The numbers upstream amazon-ec2-net-utils 2.x derives from an ENI's
/// slot; kept identical so rules and tables survive a switch to ec2net.
public struct PolicyRouting: Equatable, Sendable {
    public static let tableBase = 10000
    public static let metricBase = 512

    public let index: DeviceIndex

    public init(index: DeviceIndex) { self.index = index }

    /// Route table id, also the rule priority.
    public var table: Int { PolicyRouting.tableBase + 100 * index.card + index.device }
    /// Metric of the DHCP and RA routes in the main table.
    public var metric: Int { PolicyRouting.metricBase + 100 * index.card + index.device }

    /// The range of tables ec2net may own, for cleaning up its own rules.
    public static let ownedTables = tableBase...(tableBase + 100 * DeviceIndex.cardRange.upperBound + DeviceIndex.deviceRange.upperBound)
}
