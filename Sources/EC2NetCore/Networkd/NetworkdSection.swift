/// One `[Section]` of a systemd-networkd file, entries in the order given.
public struct NetworkdSection: Equatable, Sendable {
    public var name: String
    public var entries: [(key: String, value: String)]

    public init(_ name: String, _ entries: [(String, String)] = []) {
        self.name = name
        self.entries = entries.map { (key: $0.0, value: $0.1) }
    }

    public mutating func add(_ key: String, _ value: String) { entries.append((key: key, value: value)) }

    public static func == (a: NetworkdSection, b: NetworkdSection) -> Bool {
        a.name == b.name && a.entries.elementsEqual(b.entries, by: { $0.key == $1.key && $0.value == $1.value })
    }
}
