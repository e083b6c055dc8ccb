import EC2NetCore

/// A network interface found on the host.
public struct NetworkDevice: Equatable {
    public let name: String
    public let mac: MACAddress
    public let driver: String
}
