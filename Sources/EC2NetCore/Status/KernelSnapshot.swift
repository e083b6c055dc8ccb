/// What the kernel holds, as read over rtnetlink at one moment: links,
/// addresses, policy rules and routes of every table. A plain value, so the
/// judgement in StatusEvaluator is pure and its tests need no kernel.
/// Addresses, destinations and gateways stay typed as the decoder made them
/// from the kernel's bytes, up to the comparison (no text in between).
public struct KernelSnapshot: Equatable, Sendable {
    public struct Link: Equatable, Sendable {
        public let index: Int
        public let name: String
        public let mac: MACAddress?
        public let altNames: [String]
        public init(index: Int, name: String, mac: MACAddress?, altNames: [String] = []) {
            self.index = index
            self.name = name
            self.mac = mac
            self.altNames = altNames
        }
    }

    public struct Address: Equatable, Sendable {
        public let interfaceIndex: Int
        /// The link's own address with its prefix length, e.g. `10.0.0.21/24`.
        public let address: RuleSource
        public init(interfaceIndex: Int, address: RuleSource) {
            self.interfaceIndex = interfaceIndex
            self.address = address
        }
    }

    public struct Route: Equatable, Sendable {
        public static let mainTable = 254
        public static let localTable = 255
        public static let unicast = 1
        public static let local = 2

        public let family: IPFamily
        public let table: Int
        /// The prefix routed; length 0 is the default route (the kernel's dst_len 0).
        public let destination: RuleSource
        public let interfaceIndex: Int?
        public let metric: Int
        /// rtm_type: 1 unicast, 2 local, 6 blackhole ...
        public let type: Int
        /// RTA_GATEWAY, a full-length prefix; nil for a route on the link.
        public let gateway: RuleSource?
        public init(family: IPFamily, table: Int, destination: RuleSource, interfaceIndex: Int?, metric: Int, type: Int = Route.unicast,
                    gateway: RuleSource? = nil) {
            self.family = family
            self.table = table
            self.destination = destination
            self.interfaceIndex = interfaceIndex
            self.metric = metric
            self.type = type
            self.gateway = gateway
        }

        /// The default route's destination in `family`: 0.0.0.0/0 or ::/0.
        public static func defaultDestination(_ family: IPFamily) -> RuleSource {
            family == .ipv4 ? .ipv4(IPv4CIDR(address: IPv4Address(0), prefixLength: 0))
                            : .ipv6(IPv6CIDR(address: IPv6Address(bytes: [UInt8](repeating: 0, count: 16)), prefixLength: 0))
        }

        public var isDefault: Bool { destination.prefixLength == 0 }
    }

    public var links: [Link]
    public var addresses: [Address]
    public var rules: [PolicyRule]
    public var routes: [Route]

    public init(links: [Link] = [], addresses: [Address] = [], rules: [PolicyRule] = [], routes: [Route] = []) {
        self.links = links
        self.addresses = addresses
        self.rules = rules
        self.routes = routes
    }

    public func link(named name: String) -> Link? { links.first { $0.name == name } }
    public func link(index: Int) -> Link? { links.first { $0.index == index } }

    /// The main table's unicast default route with the lowest metric: the
    /// one default traffic leaves by.
    public func preferredDefault(_ family: IPFamily) -> Route? {
        routes.filter { $0.family == family && $0.table == Route.mainTable && $0.isDefault
            && $0.type == Route.unicast && $0.interfaceIndex != nil }
            .min { $0.metric < $1.metric }
    }

    /// Whether the kernel holds `item` for the link `interfaceIndex`: a rule
    /// equal in every selector and the action; a table route, the one of
    /// the lowest metric for its destination, of the right type on this link
    /// (a default route also through a gateway it can reach: IPv4 inside one
    /// of the link's subnets, IPv6 link-local).
    public func holds(_ item: ExpectedKernelState.Item, interfaceIndex: Int) -> Bool {
        switch item {
        case .rule(let r):
            return rules.contains(r)
        case .tableRoute(let family, let destination, let table):
            // The kernel uses the route of the lowest metric: a blackhole
            // there takes the traffic whatever networkd's route behind it is.
            let same = routes.filter { $0.family == family && $0.table == table && $0.destination == destination }
            guard let used = same.min(by: { $0.metric < $1.metric })?.metric else { return false }
            return same.contains { $0.metric == used && $0.interfaceIndex == interfaceIndex
                && (table == Route.localTable ? $0.type == Route.local : $0.type == Route.unicast)
                && (!$0.isDefault || reachableGateway($0, interfaceIndex: interfaceIndex)) }
        case .address(let address):
            return addresses.contains { $0.interfaceIndex == interfaceIndex && $0.address == address }
        case .mainDefault(let family, let metric):
            return routes.contains { $0.family == family && $0.table == Route.mainTable && $0.isDefault
                && $0.interfaceIndex == interfaceIndex && $0.metric == metric && $0.type == Route.unicast }
        }
    }

    /// A default route's gateway as EC2 gives it: the subnet's router (IPv4,
    /// inside a prefix of one of the link's addresses or a route on the
    /// link) or the router's link-local address (IPv6, from the RA).
    func reachableGateway(_ route: Route, interfaceIndex: Int) -> Bool {
        guard let gateway = route.gateway else { return false }
        if gateway.isIPv6 { return KernelSnapshot.ipv6LinkLocal.contains(gateway) }
        let onLink = addresses.filter { $0.interfaceIndex == interfaceIndex }.map { $0.address }
            + routes.filter { $0.interfaceIndex == interfaceIndex && $0.gateway == nil && !$0.isDefault
                && $0.type == Route.unicast }.map { $0.destination }
        return onLink.contains { $0.contains(gateway) }
    }

    /// fe80::/10 (RFC 4291 2.5.6), where an RA's router address lives.
    static let ipv6LinkLocal = RuleSource.ipv6(IPv6CIDR(address: IPv6Address(bytes: [0xfe, 0x80] + [UInt8](repeating: 0, count: 14)),
                                                        prefixLength: 10))

    /// Rules before `rule` (a lower priority number, the same family) that
    /// catch what `rule` is for, traffic from its source, and send it
    /// elsewhere: another table (not local, which only delivers to this
    /// host), or a drop. Only rules selecting by source alone count; one
    /// narrowed by another selector (to, fwmark, iif ...) catches only part,
    /// and one with suppress_prefixlength falls through for default routes.
    public func shadows(of rule: PolicyRule) -> [PolicyRule] {
        guard let source = rule.source else { return [] }
        return rules.filter { r in
            guard r.family == rule.family, r.priority < rule.priority, r.selectsBySourceOnly, r.suppressPrefixLength == nil
            else { return false }
            let catches: Bool
            switch (r.source, r.inverted) {
            case (nil, false): catches = true
            case (nil, true): catches = false
            case (let s?, let inverted): catches = s.contains(source) != inverted
            }
            guard catches else { return false }
            switch r.action {
            case .table: return r.table != rule.table && r.table != Route.localTable
            case .blackhole, .unreachable, .prohibit: return true
            case .goto, .nop, .other: return false
            }
        }
    }
}
