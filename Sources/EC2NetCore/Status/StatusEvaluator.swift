/// The judgement of `ec2net status`: evidence in, report out, no I/O.
///
/// For each ENI: is it managed, and if not why (the same decisions as
/// ec2-plug: ManagementDecision); is its
/// generated file what the renderer would write from IMDS now; and does the
/// kernel hold every rule, table route, address and main default route that
/// file asks networkd for. For the instance: which interface the preferred
/// default routes leave by, and rules in ec2net's priority range that no
/// generated file wants. A rule counts only when equal in every selector
/// and the action; one before it that sends its sources elsewhere shadows it.
public enum StatusEvaluator {
    /// - Parameter names: report only these ENIs (`ec2net status IFACE...`);
    ///   every ENI still counts for which rules are wanted.
    public static func evaluate(_ e: StatusEvidence, only names: [String] = []) -> StatusReport {
        var primaryMAC: MACAddress? = nil
        var problems: [String] = []
        let imdsState: StatusReport.IMDSState, imdsDetail: String
        switch e.imds {
        case .skipped:
            (imdsState, imdsDetail) = (.skipped, "IMDS not read (--no-imds): the kernel is compared with the generated files")
        case .read(let mac):
            primaryMAC = mac
            (imdsState, imdsDetail) = (.read, "IMDS read: the primary ENI is \(mac)")
        case .failed(let why):
            (imdsState, imdsDetail) = (.failed, "\(why); the kernel is compared with the generated files")
        }
        if primaryMAC == nil {
            // Without IMDS, the naming map remembers which MAC was device 0 on card 0.
            primaryMAC = e.interfaces.first { $0.mapEntry?.index.isPrimarySlot == true }?.mac
        }

        let judged = e.interfaces.map { judge($0, evidence: e, primaryMAC: primaryMAC) }

        var egress: [StatusReport.Egress] = []
        for family in IPFamily.allCases {
            guard let route = e.kernel.preferredDefault(family) else {
                if family == .ipv4 { problems.append("no IPv4 default route in the main table") }
                continue
            }
            let link = route.interfaceIndex.flatMap { e.kernel.link(index: $0) }
            let isPrimary = primaryMAC.flatMap { p in link?.mac.map { $0 == p } }
            egress.append(StatusReport.Egress(family: family, interface: link?.name, mac: link?.mac, metric: route.metric, isPrimary: isPrimary))
            if isPrimary == false {
                let primaryName = primaryMAC.flatMap { p in e.kernel.links.first { $0.mac == p }?.name }
                problems.append("\(family.label) default traffic leaves by \(link?.name ?? "?"), "
                    + "not by the primary ENI \(primaryName ?? primaryMAC!.description)")
            }
        }

        var wanted = Set<PolicyRule>()
        for i in judged { for c in i.checks { if case .rule(let r) = c.item { wanted.insert(r) } } }
        for i in e.interfaces { for f in i.generatedFiles { wanted.formUnion(PolicyRule.rules(inGeneratedFile: f.contents)) } }
        var foreign: [StatusReport.ForeignRule] = []
        for r in e.kernel.rules where PolicyRouting.ownedTables.contains(r.priority) {
            if wanted.contains(r) { continue }
            let stale = r.hasEC2NetShape
            foreign.append(StatusReport.ForeignRule(rule: r, stale: stale))
            if stale { problems.append("stale rule \(r): no generated file wants it") }
        }

        var interfaces = zip(e.interfaces, judged).filter { names.isEmpty || names.contains(where: $0.0.isCalled) }.map { $0.1 }
        interfaces.sort(by: order)
        let unknown: Bool
        if case .failed = e.imds { unknown = true } else { unknown = interfaces.contains { $0.unknown } }
        let drift = !problems.isEmpty || interfaces.contains { $0.hasProblems }
        return StatusReport(verdict: unknown ? .unknown : drift ? .drift : .ok, imdsState: imdsState, imdsDetail: imdsDetail,
                            primaryMAC: primaryMAC, interfaces: interfaces, egress: egress, foreignRules: foreign, problems: problems)
    }

    /// Problems first, then managed ENIs by slot, then the rest by name.
    static func order(_ a: StatusReport.Interface, _ b: StatusReport.Interface) -> Bool {
        if a.hasProblems != b.hasProblems { return a.hasProblems }
        if a.managed != b.managed { return a.managed }
        switch (a.index, b.index) {
        case (let x?, let y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return (a.name ?? "~", a.mac) < (b.name ?? "~", b.mac)
        }
    }

    static func judge(_ i: StatusEvidence.Interface, evidence e: StatusEvidence, primaryMAC: MACAddress?) -> StatusReport.Interface {
        var r = StatusReport.Interface(name: i.name, mac: i.mac)
        let link = i.name.flatMap { e.kernel.link(named: $0) }
        r.altNames = link?.altNames ?? []
        r.otherManager = i.otherManager
        var metadata: InterfaceMetadata? = nil
        switch i.metadata {
        case .ready(let m):
            metadata = m
            r.index = m.index
            r.interfaceID = m.interfaceID?.description
        case .notRead, .pending, .failed:
            r.index = i.mapEntry?.index
            r.interfaceID = i.mapEntry?.interfaceID?.description
        }
        r.isPrimary = primaryMAC.map { $0 == i.mac }

        decideManagement(&r, i, metadata: metadata, configuration: e.configuration)
        switch i.metadata {
        case .pending(let what) where r.managed:
            r.unknown = true
            let missing = what == .mac ? "this MAC" : "its \(what)"
            (r.reasonCode, r.reason) = (.notPropagated, "IMDS does not list \(missing) yet")
            r.problems.append("IMDS does not list \(missing) (yet): cannot tell what it should have")
        case .failed(let why) where r.managed:
            r.unknown = true
            (r.reasonCode, r.reason) = (.imdsError, "IMDS: \(why)")
            r.problems.append("IMDS: \(why)")
        default:
            break
        }

        if let other = i.otherManager {
            r.problems.append("\(other) also manages it; its settings and networkd's may fight")
        }

        guard r.managed else {
            if let f = i.generatedFiles.first {
                r.fileName = f.name
                r.fileState = .unexpected
                r.problems.append("\(f.name) is still there although ec2net does not manage it")
            }
            return r
        }

        guard let expectation = expectedFile(&r, i, metadata: metadata, configuration: e.configuration) else { return r }
        let expected = ExpectedKernelState(file: NetworkdFile(parsing: expectation))
        r.table = expected.table
        r.metric = expected.metric
        guard let link else {
            r.problems.append("the kernel has no link called \(i.name ?? "?")")
            return r
        }
        r.checks = expected.items.map { StatusReport.Check(item: $0, present: e.kernel.holds($0, interfaceIndex: link.index)) }
        for check in r.checks where !check.present { r.problems.append("missing \(check.item)") }
        for case .rule(let mine) in expected.items {
            for other in e.kernel.shadows(of: mine) {
                r.shadowingRules.append(StatusReport.Shadow(rule: other, shadowed: mine))
                r.problems.append("rule \(other.priority) shadows ec2net's rule for \(mine.source?.description ?? "all"): \(other)")
            }
        }
        return r
    }

    /// Managed or not, and why: ManagementDecision, as ec2-plug takes it,
    /// with what is known here (IMDS, else the naming map's slot and id).
    static func decideManagement(_ r: inout StatusReport.Interface, _ i: StatusEvidence.Interface,
                                 metadata: InterfaceMetadata?, configuration c: Configuration) {
        var subject = ManagementDecision.Subject(mac: i.mac, name: i.name, interfaceID: metadata?.interfaceID ?? i.mapEntry?.interfaceID,
                                                 index: r.index, isPrimary: r.isPrimary)
        if let m = metadata { subject = subject.knowing(m) }
        guard let reason = ManagementDecision.decide(subject, configuration: c, adminClaim: { i.adminClaim }) else {
            r.managed = true
            return
        }
        r.reasonCode = .notManaged(reason)
        switch reason {
        case .inert, .claimed, .noAddresses: r.reason = "not managed: \(reason)"
        case .excluded, .secondaryUnderPrimaryOnly: r.reason = "not managed: excluded by \(reason)"
        case .absent, .notAnENI: r.reason = reason.description
        case .temporaryName: r.reason = "not managed yet: \(reason)"
        }
    }

    /// The text of the file the kernel is judged against: what the renderer
    /// makes of IMDS now (and whether the file on disk is that), or without
    /// IMDS the file on disk. nil when there is none to judge by.
    static func expectedFile(_ r: inout StatusReport.Interface, _ i: StatusEvidence.Interface,
                             metadata: InterfaceMetadata?, configuration c: Configuration) -> String? {
        if let m = metadata, let name = i.name, let wanted = NetworkdRenderer.render(m, interface: name, configuration: c).first {
            r.fileName = wanted.name
            if let onDisk = i.generatedFiles.first(where: { $0.name == wanted.name }) {
                r.fileState = onDisk.contents == wanted.contents ? .upToDate : .outdated
                if r.fileState == .outdated { r.problems.append("\(wanted.name) differs from what IMDS says now") }
            } else if let other = i.generatedFiles.first {
                r.fileState = .outdated
                r.problems.append("its file is \(other.name), written for another name; expected \(wanted.name)")
            } else {
                r.fileState = .missing
                r.problems.append("\(wanted.name) is missing")
            }
            for extra in i.generatedFiles.dropFirst() where extra.name != wanted.name {
                r.problems.append("\(extra.name) is a second file for the same MAC")
            }
            return wanted.contents
        }
        if let onDisk = i.generatedFiles.first {
            r.fileName = onDisk.name
            r.fileState = .notChecked
            return onDisk.contents
        }
        if case .notRead = i.metadata {
            // Without IMDS an ENI without a file may be one that needs none (EFA-only).
            r.managed = false
            (r.reasonCode, r.reason) = (.noFile, "no generated file; without IMDS it cannot be told whether it needs one")
        } else {
            r.fileState = .missing
            r.problems.append("no generated file under /run/systemd/network")
        }
        return nil
    }
}
