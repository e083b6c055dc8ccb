import EC2NetCore
import EC2NetSystem

/// One log line per decision about an interface, and its exit code.
enum OutcomeLog {
    static func write(_ o: ConfigureOutcome, interface: String, mac: MACAddress, log: Syslog) {
        switch o {
        case .configured(let w, let r):
            var parts: [String] = []
            if !w.isEmpty { parts.append("wrote \(w.joined(separator: ", "))") }
            if !r.isEmpty { parts.append("removed \(r.joined(separator: ", "))") }
            log.info("\(interface) (\(mac)): configured: \(parts.joined(separator: "; "))")
        case .unchanged:
            log.info("\(interface) (\(mac)): config up to date, nothing written")
        case .excluded(let reason, let r):
            log.info("\(interface) (\(mac)): excluded by \(reason)\(r.isEmpty ? "" : "; removed \(r.joined(separator: ", "))")")
        case .adminOwned(let file, let r):
            log.info("\(interface) (\(mac)): \(file) claims it; ec2net steps aside\(r.isEmpty ? "" : "; removed \(r.joined(separator: ", "))")")
        case .noAddresses(let r):
            log.info("\(interface) (\(mac)): no IPv4 or IPv6 address in IMDS (EFA-only?); left to the base config\(r.isEmpty ? "" : "; removed \(r.joined(separator: ", "))")")
        case .inert:
            log.info("\(interface) (\(mac)): Manage=none; nothing done")
        }
    }

    static func exitCode(_ o: ConfigureOutcome) -> ExitCode {
        switch o {
        case .excluded, .adminOwned: return .notOurs
        default: return .ok
        }
    }
}
