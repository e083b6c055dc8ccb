import EC2NetCore

/// The kernel's policy rules as far as ec2net touches them: listed, and
/// the ones StaleRuleCleaner shows were ec2net's deleted. Tests substitute a list.
public protocol RuleTable: AnyObject {
    /// Every rule in the kernel, typed with every selector.
    func rules() throws(NetlinkError) -> [PolicyRule]
    func delete(_ rule: PolicyRule) throws(NetlinkError)
}

extension PolicyRuleTable: RuleTable {}
