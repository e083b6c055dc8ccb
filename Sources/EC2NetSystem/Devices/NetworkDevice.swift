import EC2NetCore

/// A network interface found on the host.
public struct NetworkDevice: Equatable {
    public let name: String
    public let mac: MACAddress
    public let driver: String
    /// ec2net's own udev properties (EC2_IFNAME, EC2_DEVICE_NUMBER, ...) from
    /// udev's record, as ec2-ifname exported them; empty without udev.
    public var ec2Properties: [String: String] = [:]

    /// The drivers of the network devices EC2 attaches (ENA, Intel VF, Xen).
    public static let ec2Drivers: Set<String> = ["ena", "ixgbevf", "vif"]
}
