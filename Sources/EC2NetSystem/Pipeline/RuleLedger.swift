import CLinux
import EC2NetCore

/// Every policy rule ec2net's generated files asked networkd for in this
/// boot: `/run/ec2net/rules`, one rule a line as the keys of its
/// `[RoutingPolicyRule]` section (`From=10.0.1.20 Priority=10001
/// Table=10001`). It is the evidence StaleRuleCleaner needs before it
/// deletes a kernel rule: only a rule listed here was ever ec2net's.
///
/// Crash-safe by order: a writer records a file's rules, atomically and
/// under the ledger's lock, before it renames the file into place, and
/// holds the lock until the rename; so the ledger is always a superset of
/// the rules networkd was asked for, and the cleaner, which takes the same
/// lock, never sees a file whose rules are not recorded.
public struct RuleLedger {
    public static let fileName = "rules"
    static let header = "# ec2net: rules its generated files asked for in this boot"
    public let paths: Paths

    public init(paths: Paths) { self.paths = paths }

    public var path: String { paths.runtime + "/" + RuleLedger.fileName }

    public struct Entry: Equatable {
        public let line: String
        public let rule: PolicyRule
    }

    public enum Failure: Error, CustomStringConvertible {
        case file(FileError)
        /// A line that is not one rule ec2net writes: the ledger cannot be trusted.
        case corrupt(path: String, line: Int, text: String)

        public var description: String {
            switch self {
            case .file(let e): return e.description
            case .corrupt(let p, let n, let t): return "\(p) line \(n) is not a rule: \(Printable.quote(t))"
            }
        }
    }

    /// Runs `body` under the ledger's exclusive lock.
    public func holding<T>(until deadline: WaitDeadline?, _ body: () throws(FileError) -> T) throws(FileError) -> T {
        try Directory.makePath(paths.runtime)
        let lock = try FileLock(path: path + ".lock")
        try lock.lock(.exclusive, until: deadline)
        defer { lock.unlock() }
        return try body()
    }

    /// Adds the rules `files` ask for; writes only when one is new. Call
    /// under `holding`, before the files are renamed into place. Lines
    /// already there stay as they are, even unreadable ones (which keep the
    /// cleaner from deleting anything this boot, the safe side).
    public func record(_ files: [GeneratedFile]) throws(FileError) {
        let dir = try Directory(path: paths.runtime, create: true)
        let text = try dir.read(RuleLedger.fileName) ?? ""
        var lines = text.split(separator: "\n").map(String.init)
        let known = Set(lines.compactMap { RuleLedger.rule(inLine: $0) })
        var added = false
        for f in files {
            for s in NetworkdFile(parsing: f.contents).sections where s.name == "RoutingPolicyRule" {
                let line = s.entries.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                guard let rule = RuleLedger.rule(inLine: line), !known.contains(rule), !lines.contains(line) else { continue }
                lines.append(line)
                added = true
            }
        }
        guard added else { return }
        if lines.first != RuleLedger.header { lines.insert(RuleLedger.header, at: 0) }
        try dir.writeAtomically(RuleLedger.fileName, contents: lines.joined(separator: "\n") + "\n", mode: 0o600)
    }

    /// The ledger's rules; empty when there is none yet. Call under `holding`.
    public func entries() throws(Failure) -> [Entry] {
        let text: String?
        do { text = try Directory(path: paths.runtime, create: false).read(RuleLedger.fileName) } catch {
            if case .operation(_, _, let e) = error, e == ENOENT { return [] }
            throw .file(error)
        }
        var out: [Entry] = []
        for (n, line) in (text ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let rule = RuleLedger.rule(inLine: String(line)) else {
                throw .corrupt(path: path, line: n + 1, text: String(line))
            }
            out.append(Entry(line: String(line), rule: rule))
        }
        return out
    }

    /// Replaces the ledger's rules with `entries`. Call under `holding`.
    public func replace(with entries: [Entry]) throws(FileError) {
        let dir = try Directory(path: paths.runtime, create: true)
        try dir.writeAtomically(RuleLedger.fileName, contents: ([RuleLedger.header] + entries.map { $0.line }).joined(separator: "\n") + "\n",
                                mode: 0o600)
    }

    /// One line as the one rule it names, read as networkd reads the section.
    static func rule(inLine line: String) -> PolicyRule? {
        var section = NetworkdSection("RoutingPolicyRule")
        for word in line.split(separator: " ") {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else { return nil }
            section.add(String(word[..<eq]), String(word[word.index(after: eq)...]))
        }
        let requests = RuleRequest.requests(in: section)
        guard requests.count == 1, case .exactly(let rule) = requests[0] else { return nil }
        return rule
    }
}
