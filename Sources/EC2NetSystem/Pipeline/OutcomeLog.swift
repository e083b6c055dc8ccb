import EC2NetCore

/// One log line per decision about an interface.
public enum OutcomeLog {
    public static func write(_ o: ConfigureOutcome, interface: String, mac: MACAddress, log: Log) {
        let subject = "\(interface) (\(mac))"
        switch o {
        case .configured(let w, let r):
            var parts: [String] = []
            if !w.isEmpty { parts.append("wrote \(w.joined(separator: ", "))") }
            if !r.isEmpty { parts.append("removed \(r.joined(separator: ", "))") }
            log.info("\(subject): configured: \(parts.joined(separator: "; "))")
        case .unchanged:
            log.info("\(subject): config up to date, nothing written")
        case .excluded(let reason, let r):
            log.info("\(subject): excluded by \(reason)\(removed(r))")
        case .adminOwned(let file, let r):
            log.info("\(subject): \(file) claims it; ec2net steps aside\(removed(r))")
        case .noAddresses(let r):
            log.info("\(subject): no IPv4 or IPv6 address in IMDS (EFA-only?); left to the base config\(removed(r))")
        case .inert:
            log.info("\(subject): Manage=none; nothing done")
        }
    }

    private static func removed(_ names: [String]) -> String {
        names.isEmpty ? "" : "; removed \(names.joined(separator: ", "))"
    }
}
