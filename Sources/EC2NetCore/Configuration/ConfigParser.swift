/// Reads ec2net.conf in the systemd INI style: `[Section]`, `Key=value`,
/// `#` or `;` comments. Files are applied in order onto one Configuration,
/// so a later drop-in wins key by key. An empty `Exclude=` resets the list,
/// as an empty assignment does in systemd.
public struct ConfigParser {
    public private(set) var configuration: Configuration
    public private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(base: Configuration = Configuration()) { configuration = base }

    public mutating func apply(text: String, file: String) {
        var section = ""
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            lineNumber += 1
            let line = ConfigParser.trim(rawLine)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    diagnose(file, lineNumber, "malformed section header \(Printable.quote(String(line)))")
                    section = "?"
                    continue
                }
                section = String(line.dropFirst().dropLast())
                if !ConfigParser.knownSections.contains(section) {
                    diagnose(file, lineNumber, "unknown section \(Printable.quote("[" + section + "]"))")
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                diagnose(file, lineNumber, "expected Key=value, got \(Printable.quote(String(line)))")
                continue
            }
            let key = String(ConfigParser.trim(line[..<eq]))
            let value = ConfigParser.trim(line[line.index(after: eq)...])
            if let problem = set(section: section, key: key, value: value) {
                diagnose(file, lineNumber, problem)
            }
        }
    }

    static let knownSections: Set<String> = ["Interfaces", "Naming", "Network", "Routing", "IMDS", "Hostname"]

    private mutating func diagnose(_ file: String, _ line: Int, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, line: line, message: message))
    }

    /// Returns a problem description, or nil when the key was applied.
    private mutating func set(section: String, key: String, value: Substring) -> String? {
        let v = String(value)
        switch (section, key) {
        case ("Interfaces", "Manage"):
            guard let m = Configuration.ManageMode(rawValue: v) else { return invalid(key, v, "all, primary-only or none") }
            configuration.manage = m
        case ("Interfaces", "Exclude"):
            if value.isEmpty { configuration.exclude = []; return nil }
            var rules: [ExclusionRule] = []
            for word in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
                do { rules.append(try ExclusionRule(parsing: word)) } catch {
                    return "Exclude=: \(error) (expected a MAC, an eni- id or device:N[-M]); the whole line is ignored"
                }
            }
            configuration.exclude += rules
        case ("Naming", "Mode"):
            guard let m = Configuration.NamingMode(rawValue: v) else { return invalid(key, v, "keep, device-index or off") }
            configuration.namingMode = m
        case ("Network", "MTU"):
            if value.isEmpty { configuration.mtu = nil; return nil }
            do { configuration.mtu = try DeviceIndex.parseInteger(value, in: 576...9216) } catch { return "MTU=: \(error)" }
        case ("Routing", "SecondaryDefaultRoutesInMain"):
            guard let b = ConfigParser.boolean(v) else { return invalid(key, v, "yes or no") }
            configuration.secondaryDefaultRoutesInMain = b
        case ("Routing", "LocalPrefixes"):
            guard let b = ConfigParser.boolean(v) else { return invalid(key, v, "yes or no") }
            configuration.localPrefixes = b
        case ("IMDS", "Endpoint"):
            if value.isEmpty { configuration.imdsEndpoint = nil; return nil }
            guard v.hasPrefix("http://"), NetworkdFile.isSafe(v), !v.contains(" ") else { return invalid(key, v, "an http:// URL") }
            configuration.imdsEndpoint = v
        case ("IMDS", "Timeout"):
            guard let s = ConfigParser.seconds(v, max: 60) else { return invalid(key, v, "seconds, 0.05 to 60") }
            configuration.imdsTimeout = s
        case ("IMDS", "DeviceNumberTimeout"):
            // Rejected, not clamped, beyond the run's deadline: a silent
            // clamp would hide that the wait is shorter than asked.
            guard let s = ConfigParser.seconds(v, max: RunDeadline.maxDeviceNumberTimeout) else {
                return invalid(key, v, "seconds, 0.05 to 50 (a udev run ends within 60 s)")
            }
            configuration.deviceNumberTimeout = s
        case ("Hostname", "SetFromIMDS"):
            guard let b = ConfigParser.boolean(v) else { return invalid(key, v, "yes or no") }
            configuration.setHostname = b
        case ("?", _):
            return nil // already reported at the header
        default:
            return section.isEmpty ? "\(Printable.quote(key + "=")) outside any section"
                : "unknown key \(Printable.quote(key + "=")) in \(Printable.quote("[" + section + "]"))"
        }
        return nil
    }

    private func invalid(_ key: String, _ value: String, _ expected: String) -> String {
        "invalid \(key)=\(Printable.quote(value)): expected \(expected)"
    }

    static func boolean(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: return nil
        }
    }

    /// Decimal seconds such as `2`, `0.5`; no exponent, no unit suffix.
    static func seconds(_ s: String, max: Double) -> Double? {
        guard !s.isEmpty, s.count <= 8, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }),
              let d = Double(s), d >= 0.05, d <= max else { return nil }
        return d
    }

    static func trim(_ s: Substring) -> Substring {
        var t = s
        while let f = t.first, f == " " || f == "\t" || f == "\r" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\r" { t = t.dropLast() }
        return t
    }
}
