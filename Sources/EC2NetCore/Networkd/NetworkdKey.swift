/// The section names ec2net writes into its .network files and reads back
/// (ExpectedKernelState, PolicyRule): spelled once, so the renderer and the
/// status check cannot drift apart by a typo.
public enum NetworkdSectionName: String, Sendable {
    case match = "Match"
    case link = "Link"
    case network = "Network"
    case dhcpv4 = "DHCPv4"
    case dhcpv6 = "DHCPv6"
    case ipv6AcceptRA = "IPv6AcceptRA"
    case address = "Address"
    case route = "Route"
    case routingPolicyRule = "RoutingPolicyRule"
}

/// The keys ec2net writes (systemd.network(5)); see NetworkdSectionName.
public enum NetworkdKey: String, Sendable {
    case macAddress = "MACAddress"
    case type = "Type"
    case mtuBytes = "MTUBytes"
    case dhcp = "DHCP"
    case ipv6DuplicateAddressDetection = "IPv6DuplicateAddressDetection"
    case llmnr = "LLMNR"
    case dnsDefaultRoute = "DNSDefaultRoute"
    case keepConfiguration = "KeepConfiguration"
    case routeMetric = "RouteMetric"
    case useRoutes = "UseRoutes"
    case useGateway = "UseGateway"
    case useHostname = "UseHostname"
    case useDNS = "UseDNS"
    case useNTP = "UseNTP"
    case useDomains = "UseDomains"
    case useMTU = "UseMTU"
    case withoutRA = "WithoutRA"
    case address = "Address"
    case addPrefixRoute = "AddPrefixRoute"
    case table = "Table"
    case gateway = "Gateway"
    case destination = "Destination"
    case from = "From"
    case priority = "Priority"
}

/// `[Route] Gateway=` values that name where networkd takes the gateway from.
public enum NetworkdGateway: String, Sendable {
    /// The DHCPv4 lease's router.
    case dhcp4 = "_dhcp4"
    /// The router advertisement's.
    case ipv6ra = "_ipv6ra"
}

extension NetworkdSection {
    public init(_ name: NetworkdSectionName, _ entries: [(NetworkdKey, String)] = []) {
        self.init(name.rawValue, entries.map { ($0.0.rawValue, $0.1) })
    }

    public mutating func add(_ key: NetworkdKey, _ value: String) { add(key.rawValue, value) }

    public func value(_ key: NetworkdKey) -> String? { value(key.rawValue) }

    public func `is`(_ name: NetworkdSectionName) -> Bool { self.name == name.rawValue }
}
