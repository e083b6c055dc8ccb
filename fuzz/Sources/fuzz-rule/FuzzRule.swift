import EC2NetCore
import EC2NetSystem
import FuzzSupport

// `[RoutingPolicyRule]` sections of a `.network` file or drop-in ->
// NetworkdRuleRequests.requests(in:) (RuleRequest.requests), what the stale
// rule cleaner asks before it deletes a kernel rule.
// Input: the file's text as is.
// Properties: no trap; at most two requests per section (Family=both);
// every rule read, written back as networkd's keys (`section(of:)` below: no
// renderer of admin rules exists in the product) and read again, is the same
// request (rule-roundtrip); a request asks for its own rule, `anyPriority`
// at every priority (rule-asks-self); a section with one key the reader does
// not know is unreadable, wanted at its priority or entirely, never a
// narrower rule (rule-unknown-key: doubt leans towards "wanted").

/// `r` in networkd's keys (systemd.network(5)); Priority= only when the
/// request named one.
func section(of r: PolicyRule, priority: Bool) -> String {
    var lines = ["[RoutingPolicyRule]", "Family=" + (r.isIPv6 ? "ipv6" : "ipv4")]
    if let s = r.source { lines.append("From=\(s)") }
    if let d = r.destination { lines.append("To=\(d)") }
    lines.append("Table=\(r.table)")
    if priority { lines.append("Priority=\(r.priority)") }
    switch r.action {
    case .table: break
    case .blackhole: lines.append("Type=blackhole")
    case .unreachable: lines.append("Type=unreachable")
    case .prohibit: lines.append("Type=prohibit")
    case .goto, .nop, .other: lines.append("Type=not-from-a-reader")
    }
    if let m = r.firewallMark { lines.append("FirewallMark=\(m.value)/\(m.mask)") }
    if let i = r.incomingInterface { lines.append("IncomingInterface=\(i)") }
    if let o = r.outgoingInterface { lines.append("OutgoingInterface=\(o)") }
    if r.inverted { lines.append("InvertRule=yes") }
    if r.l3MasterDevice { lines.append("L3MasterDevice=yes") }
    if r.tos != 0 { lines.append("TypeOfService=\(r.tos)") }
    if let p = r.ipProtocol { lines.append("IPProtocol=\(p)") }
    if let p = r.sourcePorts { lines.append("SourcePort=\(p.start)-\(p.end)") }
    if let p = r.destinationPorts { lines.append("DestinationPort=\(p.start)-\(p.end)") }
    if let u = r.users { lines.append("User=\(u.start)-\(u.end)") }
    if let s = r.suppressPrefixLength { lines.append("SuppressPrefixLength=\(s)") }
    return lines.joined(separator: "\n") + "\n"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = String(decoding: input.rest(), as: UTF8.self)

    let sections = NetworkdFile(parsing: text).sections.filter { $0.name == "RoutingPolicyRule" }
    let requests = NetworkdRuleRequests.requests(in: text)
    Fuzz.check(requests.count <= 2 * sections.count, "rule-count", "\(sections.count) sections, \(requests.count) requests")

    for request in requests {
        let rule: PolicyRule, exact: Bool
        switch request {
        case .exactly(let r): rule = r; exact = true
        case .anyPriority(let r): rule = r; exact = false
        case .unreadable(let p):
            Fuzz.check(p.map { $0 >= 0 && $0 <= Int(UInt32.max) } ?? true, "rule-priority", "\(p ?? -1)")
            continue
        }
        let written = section(of: rule, priority: exact)
        let again = NetworkdRuleRequests.requests(in: written)
        Fuzz.check(again == [request], "rule-roundtrip", "\(rule) -> \(Fuzz.show(written)) -> \(again.count) requests")
        Fuzz.check(request.asks(for: rule), "rule-asks-self", "\(rule)")
        if !exact {
            var elsewhere = rule
            elsewhere.priority = rule.priority == 0 ? 32766 : 0
            Fuzz.check(request.asks(for: elsewhere), "rule-asks-self", "any priority: \(rule)")
        }
    }

    // The first section with a key the reader does not know added.
    if let first = sections.first {
        var entries = first.entries.map { "\($0.key)=\($0.value)" }
        entries.append("NotANetworkdKey=1")
        let doubtful = NetworkdRuleRequests.requests(in: "[RoutingPolicyRule]\n" + entries.joined(separator: "\n") + "\n")
        var unreadable = doubtful.count == 1
        if case .unreadable = doubtful.first {} else { unreadable = false }
        Fuzz.check(unreadable, "rule-unknown-key", Fuzz.show(entries.joined(separator: "\n")))
    }
    return 0
}
