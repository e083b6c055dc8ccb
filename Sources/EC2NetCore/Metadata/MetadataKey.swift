/// The per-ENI keys ec2net reads under `network/interfaces/macs/<mac>/`.
public enum MetadataKey: String, CaseIterable, Sendable {
    case deviceNumber = "device-number"
    case networkCard = "network-card"
    case interfaceID = "interface-id"
    case localIPv4s = "local-ipv4s"
    case ipv6s = "ipv6s"
    case ipv4Prefix = "ipv4-prefix"
    case ipv6Prefix = "ipv6-prefix"
    case subnetIPv4 = "subnet-ipv4-cidr-block"
    case subnetIPv6 = "subnet-ipv6-cidr-blocks"

    /// Keys whose values describe addresses; the index keys are read first
    /// and separately because they may need a propagation wait.
    public static let addressing: [MetadataKey] = [
        .interfaceID, .localIPv4s, .ipv6s, .ipv4Prefix, .ipv6Prefix, .subnetIPv4, .subnetIPv6,
    ]
}
