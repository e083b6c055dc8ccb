import CLinux
import EC2NetCore

/// ec2net's own policy rules in the kernel. With networkd told to leave
/// foreign rules alone (so docker's, a CNI's and an admin's survive a
/// reload), networkd no longer cleans up rules of a config that is gone;
/// ec2net removes its own: rules whose priority equals their table within
/// ec2net's table range, that no generated file asks for any more.
public final class PolicyRuleTable {
    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// Rules in the kernel that have ec2net's shape.
    public func ownedRules() throws(NetlinkError) -> [PolicyRule] {
        var out: [PolicyRule] = []
        for family in [AF_INET, AF_INET6] {
            out += try NetlinkKernelState(channel: channel).rules(family: family).compactMap(PolicyRuleTable.owned)
        }
        return out
    }

    public func delete(_ rule: PolicyRule) throws(NetlinkError) {
        try channel.acknowledge(PolicyRuleTable.deleteMessage(rule, sequence: channel.nextSequence()), operation: "delete rule \(rule)")
    }

    /// RTM_DELRULE for one rule, byte for byte: from its typed source, so
    /// the request always carries FRA_SRC (never re-parsed from text).
    public static func deleteMessage(_ rule: PolicyRule, sequence: UInt32) -> NetlinkMessage {
        let family = UInt8(rule.isIPv6 ? AF_INET6 : AF_INET)
        var m = NetlinkMessage(type: RTNetlink.MessageType.deleteRule, flags: RTNetlink.Flag.request | RTNetlink.Flag.ack,
                               sequence: sequence,
                               header: RuleMessage(family: family, sourceLength: UInt8(rule.source.prefixLength)))
        m.attribute(RTNetlink.RuleAttribute.source, rule.source.addressBytes)
        m.attribute(RTNetlink.RuleAttribute.priority, uint32: UInt32(rule.table))
        m.attribute(RTNetlink.RuleAttribute.table, uint32: UInt32(rule.table))
        return m
    }

    /// A dumped rule, when it has ec2net's shape within ec2net's range.
    static func parse(_ reply: NetlinkReply) -> PolicyRule? { KernelDumpDecoder.rule(reply).flatMap(owned) }

    static func owned(_ r: KernelSnapshot.Rule) -> PolicyRule? {
        PolicyRouting.ownedTables.contains(r.priority) ? r.policyRule : nil
    }
}
