/// A source-based rule as ec2net writes it: `from SOURCE lookup TABLE
/// priority TABLE`. The source is typed (RuleSource), so a rule read back
/// from the kernel (`10.0.0.20/32`) equals one read from a generated file
/// (`From=10.0.0.20`), and deleting it never re-parses text.
public struct PolicyRule: Hashable, Sendable, CustomStringConvertible {
    public let source: RuleSource
    public let table: Int

    public init(source: RuleSource, table: Int) {
        self.source = source
        self.table = table
    }

    /// From text (`From=` of a generated file); nil when it does not parse.
    public init?(source text: Substring, table: Int) {
        guard let s = RuleSource(parsing: text) else { return nil }
        self.init(source: s, table: table)
    }

    public var isIPv6: Bool { source.isIPv6 }

    public var description: String { "from \(source) lookup \(table) priority \(table)" }

    /// The rules a generated file asks networkd for.
    public static func rules(inGeneratedFile text: String) -> [PolicyRule] { rules(in: NetworkdFile(parsing: text)) }

    public static func rules(in file: NetworkdFile) -> [PolicyRule] {
        file.sections.filter { $0.name == "RoutingPolicyRule" }.compactMap { s in
            guard let from = s.value("From"), let table = s.value("Table").flatMap({ Int($0) }) else { return nil }
            return PolicyRule(source: Substring(from), table: table)
        }
    }
}
