/// What the kernel holds, as read over rtnetlink at one moment: links,
/// addresses, policy rules and routes of every table. A plain value, so the
/// judgement in StatusEvaluator is pure and its tests need no kernel.
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
        /// Canonical CIDR text, e.g. `10.0.0.21/32`.
        public let cidr: String
        public init(interfaceIndex: Int, cidr: String) {
            self.interfaceIndex = interfaceIndex
            self.cidr = cidr
        }
    }

    public struct Rule: Equatable, Sendable, CustomStringConvertible {
        public let family: IPFamily
        public let priority: Int
        public let table: Int
        /// Canonical CIDR text of `from`; nil for `from all`.
        public let source: String?
        public init(family: IPFamily, priority: Int, table: Int, source: String?) {
            self.family = family
            self.priority = priority
            self.table = table
            self.source = source
        }

        /// The rule as ec2net would have written it, when it has that shape.
        public var policyRule: PolicyRule? {
            guard priority == table, let source else { return nil }
            return PolicyRule(source: Substring(source), table: table)
        }

        public var description: String { "\(priority): from \(source ?? "all") lookup \(table)" }
    }

    public struct Route: Equatable, Sendable {
        public static let mainTable = 254
        public static let localTable = 255
        public static let unicast = 1

        public let family: IPFamily
        public let table: Int
        /// `default`, or canonical CIDR text.
        public let destination: String
        public let interfaceIndex: Int?
        public let metric: Int
        /// rtm_type: 1 unicast, 2 local, 6 blackhole ...
        public let type: Int
        public init(family: IPFamily, table: Int, destination: String, interfaceIndex: Int?, metric: Int, type: Int = Route.unicast) {
            self.family = family
            self.table = table
            self.destination = destination
            self.interfaceIndex = interfaceIndex
            self.metric = metric
            self.type = type
        }
    }

    public var links: [Link]
    public var addresses: [Address]
    public var rules: [Rule]
    public var routes: [Route]

    public init(links: [Link] = [], addresses: [Address] = [], rules: [Rule] = [], routes: [Route] = []) {
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
        routes.filter { $0.family == family && $0.table == Route.mainTable && $0.destination == "default"
            && $0.type == Route.unicast && $0.interfaceIndex != nil }
            .min { $0.metric < $1.metric }
    }

    /// Whether the kernel holds `item` for the link `interfaceIndex`.
    public func holds(_ item: ExpectedKernelState.Item, interfaceIndex: Int) -> Bool {
        switch item {
        case .rule(let r):
            return rules.contains { $0.policyRule == r }
        case .tableRoute(let family, let destination, let table):
            return routes.contains { $0.family == family && $0.table == table && $0.destination == destination
                && ($0.interfaceIndex == interfaceIndex || $0.type != Route.unicast) }
        case .address(let cidr):
            return addresses.contains { $0.interfaceIndex == interfaceIndex && $0.cidr == cidr }
        case .mainDefault(let family, let metric):
            return routes.contains { $0.family == family && $0.table == Route.mainTable && $0.destination == "default"
                && $0.interfaceIndex == interfaceIndex && $0.metric == metric }
        }
    }
}
