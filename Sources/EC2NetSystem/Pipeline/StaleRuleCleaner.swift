import EC2NetCore

/// Removes kernel rules of ec2net's shape that no generated file wants:
/// what networkd would have removed had it been allowed to manage foreign
/// rules (it is not, so that other tools' rules survive its reloads).
public struct StaleRuleCleaner {
    private let tree: GeneratedTree
    private let rules: RuleTable
    private let log: Log

    public init(tree: GeneratedTree, rules: RuleTable, log: Log) {
        self.tree = tree
        self.rules = rules
        self.log = log
    }

    /// Logs each rule removed; a failure is a warning, never fatal (the
    /// config itself is in place; the next run tries again).
    public func clean() {
        do {
            for r in try staleRules() {
                do {
                    try rules.delete(r)
                    log.info("removed stale rule \(r)")
                } catch {
                    log.warning("stale rule \(r): \(error)")
                }
            }
        } catch {
            log.warning("stale rule cleanup: \(error)")
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case file(FileError)
        case netlink(NetlinkError)

        var description: String {
            switch self {
            case .file(let e): return e.description
            case .netlink(let e): return e.description
            }
        }
    }

    func staleRules() throws(Failure) -> [PolicyRule] {
        var wanted = Set<PolicyRule>()
        do {
            for f in try tree.owned() {
                if let text = try tree.directory.read(f.name) { wanted.formUnion(PolicyRule.rules(inGeneratedFile: text)) }
            }
        } catch { throw .file(error) }
        do { return try rules.ownedRules().filter { !wanted.contains($0) } } catch { throw .netlink(error) }
    }
}
