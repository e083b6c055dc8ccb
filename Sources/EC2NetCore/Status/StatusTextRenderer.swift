/// `ec2net status` for people: a verdict line, then one compact block per
/// ENI and one for the instance. Problems come first, each on its own line
/// marked `!` (`?` where IMDS could not tell); what matches is summed up in
/// one line per ENI. Lines stay within 80 columns; colour only when the
/// caller says the output is a terminal that wants it.
public struct StatusTextRenderer {
    public static let width = 80
    let colour: Bool

    public init(colour: Bool) { self.colour = colour }

    enum Tone { case plain, problem, unknown, good }

    public func render(_ r: StatusReport) -> String {
        var out: [(String, Tone)] = []
        let n = r.problemCount
        switch r.verdict {
        case .ok:
            let managed = r.interfaces.filter { $0.managed }.count
            out.append(("ec2net status: ok, \(managed) managed ENI\(managed == 1 ? "" : "s") as expected", .good))
        case .drift:
            out.append(("ec2net status: DRIFT, \(n) problem\(n == 1 ? "" : "s")", .problem))
        case .unknown:
            let why = r.imdsState == .failed ? "IMDS could not be read" : "IMDS does not describe every ENI yet"
            out.append(("ec2net status: CANNOT TELL, \(why)\(n == 0 ? "" : "; \(n) problem\(n == 1 ? "" : "s")")", .unknown))
        }
        out.append((r.imdsDetail, r.imdsState == .failed ? .unknown : .plain))

        let instance = instanceBlock(r)
        if !r.problems.isEmpty { out.append(("", .plain)); out += instance }
        for i in r.interfaces {
            out.append(("", .plain))
            out += block(i)
        }
        if r.problems.isEmpty { out.append(("", .plain)); out += instance }
        return out.flatMap { line, tone in wrap(line).map { paint($0, tone) } }.joined(separator: "\n") + "\n"
    }

    func block(_ i: StatusReport.Interface) -> [(String, Tone)] {
        var head = "\(i.hasProblems ? (i.unknown ? "?" : "!") : " ") \(i.name ?? "(no interface)")  \(i.mac)"
        if let id = i.interfaceID { head += "  \(id)" }
        if let x = i.index { head += "  device \(x.device) card \(x.card)" }
        if i.isPrimary == true { head += "  primary" }
        var lines: [(String, Tone)] = [(head, i.hasProblems ? (i.unknown ? .unknown : .problem) : .plain)]
        for p in i.problems { lines.append(("  \(i.unknown ? "?" : "!") \(p)", i.unknown ? .unknown : .problem)) }
        if i.managed {
            var state = "managed"
            if let f = i.fileName {
                switch i.fileState {
                case .upToDate: state += ": \(f) up to date"
                case .outdated: state += ": \(f) outdated"
                case .missing: state += ": \(f) missing"
                case .notChecked: state += ": \(f) (IMDS not read)"
                case .unexpected, .none: state += ": \(f)"
                }
            }
            if let t = i.table { state += ", table \(t)" }
            if let m = i.metric { state += ", metric \(m)" }
            lines.append(("  " + state, .plain))
        } else if let reason = i.reason, i.reasonCode?.isIMDSProblem != true {
            lines.append(("  " + reason, .plain))
        }
        if !i.altNames.isEmpty { lines.append(("  altnames " + i.altNames.joined(separator: " "), .plain)) }
        if !i.checks.isEmpty { lines.append(("  " + summary(i.checks), .plain)) }
        return lines
    }

    /// `kernel holds all 4: 1 rule, 2 table routes, 1 main default`.
    func summary(_ checks: [StatusReport.Check]) -> String {
        let kinds = [("rule", "rules"), ("table-route", "table routes"), ("address", "addresses"), ("main-default", "main defaults")]
        var parts: [String] = []
        let held = checks.filter { $0.present }.count
        for (kind, plural) in kinds {
            let of = checks.filter { $0.item.kind == kind }
            guard !of.isEmpty else { continue }
            let have = of.filter { $0.present }.count
            let noun = of.count == 1 ? kind.replacingDash() : plural
            parts.append(have == of.count ? "\(of.count) \(noun)" : "\(have) of \(of.count) \(noun)")
        }
        let lead = held == checks.count ? "kernel holds all \(checks.count)" : "kernel holds \(held) of \(checks.count)"
        return lead + ": " + parts.joined(separator: ", ")
    }

    func instanceBlock(_ r: StatusReport) -> [(String, Tone)] {
        var lines: [(String, Tone)] = [((r.problems.isEmpty ? " " : "!") + " instance", r.problems.isEmpty ? .plain : .problem)]
        for p in r.problems { lines.append(("  ! \(p)", .problem)) }
        for e in r.egress {
            var line = "  \(e.family.label) default route: \(e.interface ?? "?")"
            if let mac = e.mac { line += " (\(mac))" }
            line += ", metric \(e.metric)"
            switch e.isPrimary {
            case true?: line += ", primary ENI"
            case false?: line += ", NOT the primary ENI"
            case nil: line += ", primary ENI unknown"
            }
            lines.append((line, e.isPrimary == false ? .problem : .plain))
        }
        for family in IPFamily.allCases where !r.egress.contains(where: { $0.family == family }) && family == .ipv6 {
            lines.append(("  no \(family.label) default route in the main table", .plain))
        }
        let others = r.foreignRules.filter { !$0.stale }
        let range = "\(PolicyRouting.ownedTables.lowerBound)-\(PolicyRouting.ownedTables.upperBound)"
        if others.isEmpty {
            lines.append(("  no other rules at priorities \(range)", .plain))
        } else {
            for f in others { lines.append(("  rule not from ec2net: \(f.rule)", .plain)) }
        }
        return lines
    }

    /// Breaks a line at spaces so that none passes 80 columns; a
    /// continuation is indented 4 more than the line it continues.
    func wrap(_ line: String) -> [String] {
        guard line.count > StatusTextRenderer.width else { return [line] }
        let lead = line.prefix { $0 == " " }
        let marker = line.dropFirst(lead.count).prefix { $0 == "!" || $0 == "?" || $0 == " " }
        let indent = String(repeating: " ", count: lead.count + marker.count + 4)
        var out: [String] = []
        var current = String(lead)
        var fresh = true
        for word in line.dropFirst(lead.count).split(separator: " ") {
            let candidate = fresh ? current + word : current + " " + word
            if !fresh && candidate.count > StatusTextRenderer.width {
                out.append(current)
                current = indent + word
            } else {
                current = candidate
            }
            fresh = false
        }
        out.append(current)
        return out
    }

    func paint(_ line: String, _ tone: Tone) -> String {
        guard colour, !line.isEmpty else { return line }
        switch tone {
        case .plain: return line
        case .problem: return "\u{1B}[31m" + line + "\u{1B}[0m"
        case .unknown: return "\u{1B}[33m" + line + "\u{1B}[0m"
        case .good: return "\u{1B}[32m" + line + "\u{1B}[0m"
        }
    }
}

extension String {
    fileprivate func replacingDash() -> String { split(separator: "-").joined(separator: " ") }
}
