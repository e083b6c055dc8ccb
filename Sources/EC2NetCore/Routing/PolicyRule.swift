/// A source-based rule as ec2net writes it: `from SOURCE lookup TABLE
/// priority TABLE`. Sources are kept as canonical CIDR text so a rule read
/// back from the kernel (`10.0.0.20/32`) equals one read from a generated
/// file (`From=10.0.0.20`).
public struct PolicyRule: Hashable, Sendable, CustomStringConvertible {
    public let source: String
    public let table: Int

    public init?(source: Substring, table: Int) {
        guard let canonical = PolicyRule.canonical(source) else { return nil }
        self.source = canonical
        self.table = table
    }

    public var isIPv6: Bool { source.contains(":") }

    public var description: String { "from \(source) lookup \(table) priority \(table)" }

    static func canonical(_ text: Substring) -> String? {
        if text.contains("/") {
            if let c = try? IPv4CIDR(parsing: text) { return c.description }
            if let c = try? IPv6CIDR(parsing: text) { return c.description }
            return nil
        }
        if let a = try? IPv4Address(parsing: text) { return "\(a)/32" }
        if let a = try? IPv6Address(parsing: text) { return "\(a)/128" }
        return nil
    }

    /// The rules a generated file asks networkd for.
    public static func rules(inGeneratedFile text: String) -> [PolicyRule] { rules(in: NetworkdFile(parsing: text)) }

    public static func rules(in file: NetworkdFile) -> [PolicyRule] {
        file.sections.filter { $0.name == "RoutingPolicyRule" }.compactMap { s in
            guard let from = s.value("From"), let table = s.value("Table").flatMap({ Int($0) }) else { return nil }
            return PolicyRule(source: Substring(from), table: table)
        }
    }
}
