/// What the kernel should hold for one ENI once systemd-networkd applied its
/// generated file. Derived from the file's sections, not from metadata, so
/// the same code judges the file on disk (`--no-imds`) and the file the
/// renderer would write now, and stays right when the renderer changes.
///
/// Only what the file determines is expected: rules, routes in the ENI's
/// table, static addresses, and the main-table default route networkd adds
/// from the DHCPv4 lease or the router advertisement when `UseGateway=yes`.
public struct ExpectedKernelState: Equatable, Sendable {
    public enum Item: Hashable, Sendable, CustomStringConvertible {
        case rule(PolicyRule)
        /// `destination` of length 0 is the default route, as the kernel has it.
        case tableRoute(IPFamily, destination: RuleSource, table: Int)
        case address(RuleSource)
        case mainDefault(IPFamily, metric: Int)

        public var kind: String {
            switch self {
            case .rule: return "rule"
            case .tableRoute: return "table-route"
            case .address: return "address"
            case .mainDefault: return "main-default"
            }
        }

        public var family: IPFamily {
            switch self {
            case .rule(let r): return r.isIPv6 ? .ipv6 : .ipv4
            case .tableRoute(let f, _, _), .mainDefault(let f, _): return f
            case .address(let a): return a.isIPv6 ? .ipv6 : .ipv4
            }
        }

        public var description: String {
            switch self {
            case .rule(let r): return "rule \(r)"
            case .tableRoute(let f, let d, let t): return "route \(d.prefixLength == 0 ? "\(f.label) default" : d.description) in table \(t)"
            case .address(let a): return "address \(a)"
            case .mainDefault(let f, let m): return "\(f.label) default route in main, metric \(m)"
            }
        }
    }

    /// The ENI's route table, which is also its rules' priority.
    public let table: Int?
    public let metric: Int?
    public let items: [Item]

    /// Parses the file's text values once, here: the file is evidence read
    /// from disk (or the renderer's output judged the same way), so text is
    /// what there is; from here on everything is typed like the kernel's side.
    public init(file: NetworkdFile) {
        var items: [Item] = []
        var table: Int? = nil
        var defaults: Set<IPFamily> = []
        for s in file.sections where s.is(.route) {
            guard let t = s.value(.table).flatMap(ExpectedKernelState.tableNumber) else { continue }
            if t >= PolicyRouting.tableBase { table = table ?? t }
            switch (s.value(.gateway).flatMap(NetworkdGateway.init(rawValue:)), s.value(.destination)) {
            case (.dhcp4?, _):
                items.append(.tableRoute(.ipv4, destination: KernelSnapshot.Route.defaultDestination(.ipv4), table: t)); defaults.insert(.ipv4)
            case (.ipv6ra?, _):
                items.append(.tableRoute(.ipv6, destination: KernelSnapshot.Route.defaultDestination(.ipv6), table: t)); defaults.insert(.ipv6)
            case (_, let d?):
                if let c = RuleSource(parsing: Substring(d)) {
                    items.append(.tableRoute(c.isIPv6 ? .ipv6 : .ipv4, destination: c, table: t))
                }
            default:
                break
            }
        }
        for s in file.sections where s.is(.address) {
            if let a = s.value(.address), let c = RuleSource(parsing: Substring(a)) { items.append(.address(c)) }
        }
        let rules = PolicyRule.rules(in: file)
        items += rules.map { .rule($0) }
        table = table ?? rules.first?.table

        // networkd adds the lease's or the RA's default route to main only
        // with UseGateway=yes; the ENI's table route says the family is on.
        let dhcp = file.sections.last { $0.is(.dhcpv4) }
        let ra = file.sections.last { $0.is(.ipv6AcceptRA) }
        let metric = (dhcp?.value(.routeMetric) ?? ra?.value(.routeMetric)).flatMap { Int($0) }
        if defaults.contains(.ipv4), dhcp?.value(.useGateway) == "yes", let m = dhcp?.value(.routeMetric).flatMap({ Int($0) }) {
            items.append(.mainDefault(.ipv4, metric: m))
        }
        if defaults.contains(.ipv6), ra?.value(.useGateway) == "yes", let m = ra?.value(.routeMetric).flatMap({ Int($0) }) {
            items.append(.mainDefault(.ipv6, metric: m))
        }
        self.table = table
        self.metric = metric
        self.items = items
    }

    /// networkd's table names, or a number.
    static func tableNumber(_ text: String) -> Int? {
        switch text {
        case "main": return KernelSnapshot.Route.mainTable
        case "local": return KernelSnapshot.Route.localTable
        default: return Int(text)
        }
    }
}
