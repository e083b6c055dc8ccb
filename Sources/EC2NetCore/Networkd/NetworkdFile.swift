/// A networkd INI file: leading comment lines, then sections. Rendering is
/// deterministic (same value, same bytes), which makes "nothing changed"
/// a byte comparison.
public struct NetworkdFile: Equatable, Sendable {
    public var comments: [String]
    public var sections: [NetworkdSection]

    public init(comments: [String] = [], sections: [NetworkdSection] = []) {
        self.comments = comments
        self.sections = sections
    }

    public func render() -> String {
        var out = ""
        for c in comments {
            precondition(NetworkdFile.isSafe(c), "comment with a control character")
            out += "# \(c)\n"
        }
        for (k, section) in sections.enumerated() {
            if k > 0 || !comments.isEmpty { out += "\n" }
            out += "[\(section.name)]\n"
            for e in section.entries {
                // Values come from validated types; this guards the invariant
                // that nothing from outside can open a new line or section.
                precondition(NetworkdFile.isSafe(e.key) && NetworkdFile.isSafe(e.value), "INI entry with a control character")
                out += "\(e.key)=\(e.value)\n"
            }
        }
        return out
    }

    static func isSafe(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
    }
}
