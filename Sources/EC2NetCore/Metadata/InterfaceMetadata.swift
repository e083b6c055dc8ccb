/// Everything ec2net knows about one ENI, validated. Built from raw IMDS
/// bodies by `init(mac:isPrimary:index:bodies:)`,
/// which is pure so that it can be fuzzed and golden-tested.
public struct InterfaceMetadata: Equatable, Sendable {
    public var mac: MACAddress
    public var isPrimary: Bool
    public var index: DeviceIndex
    public var interfaceID: InterfaceID?
    /// The ENI's primary private IPv4 address first, then the secondaries.
    public var ipv4Addresses: [IPv4Address]
    public var ipv6Addresses: [IPv6Address]
    public var ipv4Prefixes: [IPv4CIDR]
    public var ipv6Prefixes: [IPv6CIDR]
    public var ipv4Subnet: IPv4CIDR?
    public var ipv6Subnets: [IPv6CIDR]

    public init(mac: MACAddress, isPrimary: Bool, index: DeviceIndex,
                interfaceID: InterfaceID? = nil, ipv4Addresses: [IPv4Address] = [], ipv6Addresses: [IPv6Address] = [],
                ipv4Prefixes: [IPv4CIDR] = [], ipv6Prefixes: [IPv6CIDR] = [],
                ipv4Subnet: IPv4CIDR? = nil, ipv6Subnets: [IPv6CIDR] = []) {
        self.mac = mac
        self.isPrimary = isPrimary
        self.index = index
        self.interfaceID = interfaceID
        self.ipv4Addresses = ipv4Addresses
        self.ipv6Addresses = ipv6Addresses
        self.ipv4Prefixes = ipv4Prefixes
        self.ipv6Prefixes = ipv6Prefixes
        self.ipv4Subnet = ipv4Subnet
        self.ipv6Subnets = ipv6Subnets
    }

    /// - Parameter bodies: IMDS body per key; a key that answered 404 is absent.
    public init(mac: MACAddress, isPrimary: Bool, index: DeviceIndex,
                bodies: [MetadataKey: String]) throws(MetadataError) {
        self.mac = mac
        self.isPrimary = isPrimary
        self.index = index
        interfaceID = try MetadataValues.single(bodies[.interfaceID], key: .interfaceID) { s throws(AddressError) in try InterfaceID(parsing: s) }
        ipv4Addresses = try MetadataValues.list(bodies[.localIPv4s], key: .localIPv4s) { s throws(AddressError) in try IPv4Address(parsing: s) }
        ipv6Addresses = try MetadataValues.list(bodies[.ipv6s], key: .ipv6s) { s throws(AddressError) in try IPv6Address(parsing: s) }
        ipv4Prefixes = try MetadataValues.list(bodies[.ipv4Prefix], key: .ipv4Prefix) { s throws(AddressError) in try IPv4CIDR(parsing: s) }
        ipv6Prefixes = try MetadataValues.list(bodies[.ipv6Prefix], key: .ipv6Prefix) { s throws(AddressError) in try IPv6CIDR(parsing: s) }
        ipv4Subnet = try MetadataValues.single(bodies[.subnetIPv4], key: .subnetIPv4) { s throws(AddressError) in try IPv4CIDR(parsing: s) }
        ipv6Subnets = try MetadataValues.list(bodies[.subnetIPv6], key: .subnetIPv6) { s throws(AddressError) in try IPv6CIDR(parsing: s) }
    }

    public var hasIPv4: Bool { !ipv4Addresses.isEmpty }
    public var hasIPv6: Bool { !ipv6Addresses.isEmpty || !ipv6Subnets.isEmpty }
    /// An ENI with no IP at all (EFA-only) is left alone.
    public var hasAnyAddress: Bool { !ipv4Addresses.isEmpty || !ipv6Addresses.isEmpty }
    public var secondaryIPv4Addresses: [IPv4Address] { Array(ipv4Addresses.dropFirst()).sorted() }
}
