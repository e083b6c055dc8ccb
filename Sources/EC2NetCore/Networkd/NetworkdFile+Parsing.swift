extension NetworkdFile {
    /// Reads back what `render()` writes (and what an admin may have
    /// edited): leading `#` comment lines, then `[Section]` headers and
    /// `Key=value` entries. Blank lines and later comments are skipped;
    /// lines that are neither are ignored, as networkd ignores them with a
    /// warning. `NetworkdFile(parsing: f.render()) == f` for every file
    /// ec2net renders.
    public init(parsing text: String) {
        var comments: [String] = []
        var sections: [NetworkdSection] = []
        for raw in text.split(whereSeparator: { $0.isNewline }) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty { continue }
            if line.hasPrefix("#") || line.hasPrefix(";") {
                if sections.isEmpty { comments.append(String(line.dropFirst().drop { $0 == " " })) }
                continue
            }
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                sections.append(NetworkdSection(String(line[line.index(after: line.startIndex)..<close])))
                continue
            }
            guard !sections.isEmpty, let eq = line.firstIndex(of: "=") else { continue }
            sections[sections.count - 1].add(String(line[..<eq].trimmingSuffix(" ")),
                                             String(line[line.index(after: eq)...].drop { $0 == " " }))
        }
        self.init(comments: comments, sections: sections)
    }

    /// The values of `key` in every section called `section`, in order.
    public func values(_ section: String, _ key: String) -> [String] {
        sections.filter { $0.name == section }.flatMap { s in s.entries.filter { $0.key == key }.map { $0.value } }
    }
}

extension NetworkdSection {
    /// The last value of `key` in this section (networkd: a later assignment wins).
    public func value(_ key: String) -> String? { entries.last { $0.key == key }?.value }
}
