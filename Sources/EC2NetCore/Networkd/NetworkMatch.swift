import Glibc

/// The `[Match]` of a .network file, as far as ec2net needs to tell whether
/// an administrator's file claims an interface: MACAddress=,
/// PermanentMACAddress= and Name= (with shell globs, as networkd applies them).
public struct NetworkMatch: Equatable, Sendable {
    public var macs: [MACAddress] = []
    public var namePatterns: [String] = []

    public init(parsing text: String) {
        var inMatch = false
        for raw in text.split(separator: "\n") {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[") { inMatch = line.hasPrefix("[Match]"); continue }
            guard inMatch, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSuffix(" ")
            let values = line[line.index(after: eq)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            switch key {
            case "MACAddress", "PermanentMACAddress":
                macs += values.compactMap { try? MACAddress(parsing: $0) }
            case "Name":
                namePatterns += values.map(String.init)
            default:
                break
            }
        }
    }

    /// True when this [Match] selects the interface by MAC or by name.
    public func claims(mac: MACAddress, interface: String) -> Bool {
        if macs.contains(mac) { return true }
        return namePatterns.contains { pattern in
            let p = pattern.hasPrefix("!") ? String(pattern.dropFirst()) : pattern
            let hit = fnmatch(p, interface, 0) == 0
            return pattern.hasPrefix("!") ? !hit : hit
        }
    }
}

extension Substring {
    func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}
