import CLinux
import EC2NetCore

/// The kernel's policy rules, read and deleted as typed values. With
/// networkd told to leave foreign rules alone (so docker's, a CNI's and an
/// admin's survive a reload), networkd no longer cleans up rules of a
/// config that is gone; StaleRuleCleaner decides which of those were
/// ec2net's, and this deletes exactly those.
public final class PolicyRuleTable {
    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// Every rule in the kernel, both families.
    public func rules() throws(NetlinkError) -> [PolicyRule] {
        var out: [PolicyRule] = []
        for family in [AF_INET, AF_INET6] { out += try NetlinkKernelState(channel: channel).rules(family: family) }
        return out
    }

    public func delete(_ rule: PolicyRule) throws(NetlinkError) {
        try channel.acknowledge(PolicyRuleTable.deleteMessage(rule, sequence: channel.nextSequence()), operation: "delete rule \(rule)")
    }

    /// RTM_DELRULE for one rule, byte for byte, with every selector and the
    /// action it has (the kernel's rule_find compares what a request
    /// carries, so a request with less would delete a broader match).
    /// Opaque attributes are not sent: such a rule never equals one ec2net
    /// asked for, so it is never deleted.
    public static func deleteMessage(_ rule: PolicyRule, sequence: UInt32) -> NetlinkMessage {
        typealias A = RTNetlink.RuleAttribute
        var h = RuleMessage(family: UInt8(rule.isIPv6 ? AF_INET6 : AF_INET), sourceLength: UInt8(rule.source?.prefixLength ?? 0))
        h.destinationLength = UInt8(rule.destination?.prefixLength ?? 0)
        h.tos = rule.tos
        h.table = rule.table < 256 ? UInt8(rule.table) : 0
        h.flags = rule.inverted ? RTNetlink.ruleInvert : 0
        var target: Int? = nil
        switch rule.action {
        case .table: h.action = RTNetlink.RuleAction.toTable
        case .goto(let p): h.action = RTNetlink.RuleAction.goto; target = p
        case .nop: h.action = RTNetlink.RuleAction.nop
        case .blackhole: h.action = RTNetlink.RuleAction.blackhole
        case .unreachable: h.action = RTNetlink.RuleAction.unreachable
        case .prohibit: h.action = RTNetlink.RuleAction.prohibit
        case .other(let a): h.action = a
        }
        var m = NetlinkMessage(type: RTNetlink.MessageType.deleteRule, flags: RTNetlink.Flag.request | RTNetlink.Flag.ack,
                               sequence: sequence, header: h)
        if let d = rule.destination { m.attribute(A.destination, d.addressBytes) }
        if let s = rule.source { m.attribute(A.source, s.addressBytes) }
        if let i = rule.incomingInterface { m.attribute(A.incomingInterface, string: i) }
        if let o = rule.outgoingInterface { m.attribute(A.outgoingInterface, string: o) }
        m.attribute(A.priority, uint32: UInt32(rule.priority))
        if let f = rule.firewallMark {
            m.attribute(A.firewallMark, uint32: f.value)
            m.attribute(A.firewallMask, uint32: f.mask)
        }
        if let target { m.attribute(A.gotoTarget, uint32: UInt32(target)) }
        m.attribute(A.table, uint32: UInt32(rule.table))
        if let s = rule.suppressPrefixLength { m.attribute(A.suppressPrefixLength, uint32: UInt32(s)) }
        if rule.l3MasterDevice { m.attribute(A.l3MasterDevice, [1]) }
        if let u = rule.users { m.attribute(A.uidRange, HostOrder.bytes(u.start) + HostOrder.bytes(u.end)) }
        if let p = rule.ipProtocol { m.attribute(A.ipProtocol, [p]) }
        if let p = rule.sourcePorts { m.attribute(A.sourcePortRange, HostOrder.bytes(p.start) + HostOrder.bytes(p.end)) }
        if let p = rule.destinationPorts { m.attribute(A.destinationPortRange, HostOrder.bytes(p.start) + HostOrder.bytes(p.end)) }
        return m
    }
}
