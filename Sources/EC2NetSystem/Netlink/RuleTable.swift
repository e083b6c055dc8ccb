import EC2NetCore

/// The kernel's policy rules as far as ec2net touches them: its own (see
/// PolicyRuleTable), listed and deleted. Tests substitute a list.
public protocol RuleTable: AnyObject {
    /// Rules in the kernel that have ec2net's shape.
    func ownedRules() throws(NetlinkError) -> [PolicyRule]
    func delete(_ rule: PolicyRule) throws(NetlinkError)
}

extension PolicyRuleTable: RuleTable {}
