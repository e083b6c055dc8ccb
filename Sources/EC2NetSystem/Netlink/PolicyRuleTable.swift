import Glibc
import EC2NetCore

/// ec2net's own policy rules in the kernel. With networkd told to leave
/// foreign rules alone (so docker's, a CNI's and an admin's survive a
/// reload), networkd no longer cleans up rules of a config that is gone;
/// ec2net removes its own: rules whose priority equals their table within
/// ec2net's table range, that no generated file asks for any more.
public final class PolicyRuleTable {
    static let RTM_DELRULE: UInt16 = 33

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

    /// RTM_DELRULE for one rule, byte for byte.
    public static func deleteMessage(_ rule: PolicyRule, sequence: UInt32) -> NetlinkMessage {
        var m = NetlinkMessage(type: RTM_DELRULE, flags: NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, sequence: sequence)
        let parts = rule.source.split(separator: "/")
        let length = UInt8(parts.count == 2 ? Int(parts[1]) ?? 0 : 0)
        let bytes: [UInt8]
        if rule.isIPv6 { bytes = (try? IPv6Address(parsing: parts[0]))?.bytes ?? [] }
        else { bytes = (try? IPv4Address(parsing: parts[0]))?.bytes ?? [] }
        appendHeader(&m, family: UInt8(rule.isIPv6 ? AF_INET6 : AF_INET), sourceLength: length)
        m.attribute(KernelDumpDecoder.FRA_SRC, bytes)
        m.attribute(KernelDumpDecoder.FRA_PRIORITY, uint32: UInt32(rule.table))
        m.attribute(KernelDumpDecoder.FRA_TABLE, uint32: UInt32(rule.table))
        return m
    }

    /// struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags.
    static func appendHeader(_ m: inout NetlinkMessage, family: UInt8, sourceLength: UInt8) {
        m.append8(family); m.append8(0); m.append8(sourceLength); m.append8(0)
        m.append8(0); m.append8(0); m.append8(0); m.append8(0)
        m.append32(0)
    }

    /// A dumped rule, when it has ec2net's shape within ec2net's range.
    static func parse(_ reply: NetlinkReply) -> PolicyRule? { KernelDumpDecoder.rule(reply).flatMap(owned) }

    static func owned(_ r: KernelSnapshot.Rule) -> PolicyRule? {
        PolicyRouting.ownedTables.contains(r.priority) ? r.policyRule : nil
    }
}
