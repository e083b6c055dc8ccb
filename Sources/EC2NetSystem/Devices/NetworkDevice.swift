import EC2NetCore

/// A network interface found on the host.
public struct NetworkDevice: Equatable {
    public let name: String
    public let mac: MACAddress
    public let driver: String

    /// The drivers of the network devices EC2 attaches (ENA, Intel VF, Xen).
    public static let ec2Drivers: Set<String> = ["ena", "ixgbevf", "vif"]
}
