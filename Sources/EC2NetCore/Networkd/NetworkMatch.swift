import CLinux

/// The `[Match]` of a .network file, as far as ec2net needs to tell whether
/// an administrator's file claims an interface: `MACAddress=`,
/// `PermanentMACAddress=` and `Name=`, evaluated as networkd does
/// (net-condition.c): every condition present must hold; a value starting
/// with `!` makes each of its patterns a negative one; any negative hit
/// fails the condition, and positive patterns, if any, need a hit. Repeated
/// assignments add; an empty one resets. A file with none of these keys
/// claims nothing specifically.
public struct NetworkMatch: Equatable, Sendable {
    public struct Patterns<Item: Equatable & Sendable>: Equatable, Sendable {
        public var positive: [Item] = []
        public var negative: [Item] = []
        public var isSet: Bool { !positive.isEmpty || !negative.isEmpty }

        func test(_ hit: (Item) -> Bool) -> Bool {
            if negative.contains(where: hit) { return false }
            return positive.isEmpty || positive.contains(where: hit)
        }

        mutating func assign(_ items: [Item], inverted: Bool, empty: Bool) {
            if empty { self = Patterns(); return }
            if inverted { negative += items } else { positive += items }
        }
    }

    public var macs = Patterns<MACAddress>()
    public var permanentMACs = Patterns<MACAddress>()
    public var names = Patterns<String>()

    public init(parsing text: String) {
        var inMatch = false
        for raw in text.split(whereSeparator: { $0.isNewline }) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[") { inMatch = line.hasPrefix("[Match]"); continue }
            guard inMatch, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSuffix(" ")
            var value = line[line.index(after: eq)...].drop { $0 == " " }
            let inverted = value.hasPrefix("!")
            if inverted { value = value.dropFirst() }
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let parsedMACs = words.compactMap { try? MACAddress(parsing: $0) }
            switch key {
            case "MACAddress": macs.assign(parsedMACs, inverted: inverted, empty: words.isEmpty)
            case "PermanentMACAddress": permanentMACs.assign(parsedMACs, inverted: inverted, empty: words.isEmpty)
            case "Name": names.assign(words.map(String.init), inverted: inverted, empty: words.isEmpty)
            default: break
            }
        }
    }

    /// True when this [Match] selects the interface, judged by MAC and name
    /// as networkd does (other conditions, e.g. `Driver=`, are not judged).
    public func selects(mac: MACAddress, interface: String) -> Bool {
        guard macs.isSet || permanentMACs.isSet || names.isSet else { return false }
        // An ENI's permanent MAC is its MAC: EC2 does not change it.
        return macs.test { $0 == mac } && permanentMACs.test { $0 == mac }
            && names.test { fnmatch($0, interface, 0) == 0 }
    }

    /// True when the file is about this one interface: it selects it and
    /// names it specifically, by its MAC (`MACAddress=`,
    /// `PermanentMACAddress=`) or by its exact name (`Name=` without glob
    /// characters). A file for a class of interfaces (a negated or wildcard
    /// `Name=`, only `Driver=`/`Type=`, an admin's copy of the base
    /// 80-ec2.network) is not a claim: networkd takes the first matching
    /// file in lexical order, ec2net's `05-` file sorts before such files on
    /// purpose, and an admin who copies the base file to change it means to
    /// change the fallback, not to switch ec2net off.
    public func claims(mac: MACAddress, interface: String) -> Bool {
        guard selects(mac: mac, interface: interface) else { return false }
        return macs.positive.contains(mac) || permanentMACs.positive.contains(mac)
            || names.positive.contains { $0 == interface && !NetworkMatch.isGlob($0) }
    }

    static func isGlob(_ pattern: String) -> Bool {
        pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }
}

extension Substring {
    func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}
