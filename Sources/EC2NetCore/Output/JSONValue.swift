/// A JSON document built in code and written deterministically: keys in
/// the order given, two-space indentation, strings escaped per RFC 8259.
/// Enough for `ec2net status --json` without Foundation.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func optional(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }
    public static func optional(_ b: Bool?) -> JSONValue { b.map { .bool($0) } ?? .null }

    public func render() -> String {
        var out = ""
        write(into: &out, indent: "")
        return out + "\n"
    }

    private func write(into out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (k, v) in items.enumerated() {
                out += indent + "  "
                v.write(into: &out, indent: indent + "  ")
                out += k == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, (key, v)) in members.enumerated() {
                out += indent + "  "
                JSONValue.quote(key, into: &out)
                out += ": "
                v.write(into: &out, indent: indent + "  ")
                out += k == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// RFC 8259 string escaping; other control characters as `\u00NN`.
    static func quote(_ s: String, into out: inout String) {
        out += "\"" + Printable.escaped(s) { c in
            let hex = String(c, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } + "\""
    }
}
