import EC2NetCore

/// Removes kernel rules of ec2net's shape that no generated file wants:
/// what networkd would have removed had it been allowed to manage foreign
/// rules (it is not, so that other tools' rules survive its reloads).
public enum StaleRuleCleaner {
    /// Returns the rules removed.
    public static func clean(tree: GeneratedTree, rules: PolicyRuleTable) throws -> [PolicyRule] {
        var wanted = Set<PolicyRule>()
        for f in try tree.owned() {
            if let text = try tree.directory.read(f.name) { wanted.formUnion(PolicyRule.rules(inGeneratedFile: text)) }
        }
        var removed: [PolicyRule] = []
        for r in try rules.ownedRules() where !wanted.contains(r) {
            try rules.delete(r)
            removed.append(r)
        }
        return removed
    }
}
