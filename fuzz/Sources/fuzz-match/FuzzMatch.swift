import EC2NetCore
import FuzzSupport

// An administrator's .network file -> NetworkMatch(parsing:) -> claims(LinkIdentity).
// Input: [6 MAC bytes][name length][name bytes (interface name, <= 15)]
// then the file text.
// Properties: no trap (fnmatch included); no pattern is empty or spans
// lines; a [Match] that lists the MAC (and nothing else, nothing negated)
// claims it; a claim always selects and always names the interface (by a
// positive MAC or an exact, glob-free name); `Name=p` and `Name=!p` never
// both select one name; and the
// file with CR LF line ends (networkd reads those) parses to the same
// [Match] as with LF (id match-crlf).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mac = MACAddress(bytes: (0..<6).map { _ in input.byte() })
    let nameLength = Int(input.byte()) % 16
    let name = String(decoding: (0..<nameLength).map { _ in input.byte() }, as: UTF8.self)
    let bytes = input.rest()
    let text = String(decoding: bytes, as: UTF8.self)

    let link = LinkIdentity(name: name, mac: mac)
    let match = NetworkMatch(parsing: text)
    let claimed = match.claims(link)
    if claimed {
        Fuzz.check(match.selects(link), "match-claim-selects", "\(mac) \(Fuzz.show(name))")
        let named = match.hardwareAddresses.contains(mac.bytes) || match.permanentHardwareAddresses.contains(mac.bytes)
            || match.names.contains { $0 == name && !$0.contains(where: { "*?[\\".contains($0) }) }
        Fuzz.check(named, "match-claim-specific", "claims \(Fuzz.show(name)) without naming it: \(Fuzz.show(text))")
    }
    if match.loads, match.hardwareAddresses.contains(mac.bytes), match.permanentHardwareAddresses.isEmpty,
       match.names.isEmpty, match.drivers.isEmpty, match.types.isEmpty, match.kinds.isEmpty, match.paths.isEmpty,
       match.properties.isEmpty, match.wlanInterfaceTypes.isEmpty, match.ssids.isEmpty, match.bssids.isEmpty {
        Fuzz.check(claimed, "match-mac", "\(mac) listed but not claimed")
    }
    for p in match.names {
        Fuzz.check(!p.isEmpty, "match-pattern", Fuzz.show(p))
        Fuzz.check(!p.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }), "match-crlf", "pattern spans lines: \(Fuzz.show(p))")
        guard !p.hasPrefix("!") else { continue }
        // Name= words unescape a backslash (extract_first_word() flags 0), so
        // the stored pattern is written back with its backslashes doubled.
        let written = p.replacing("\\", with: "\\\\")
        let one = NetworkMatch(parsing: "[Match]\nName=\(written)\n")
        let negated = NetworkMatch(parsing: "[Match]\nName=!\(written)\n")
        Fuzz.check(one.names == [p] && negated.names == ["!" + p], "match-negation",
                   "\(Fuzz.show(p)) does not read back: \(one.names) \(negated.names)")
        Fuzz.check(!(one.selects(link) && negated.selects(link)),
                   "match-negation", "\(Fuzz.show(p)) and its negation both select \(Fuzz.show(name))")
    }

    if !bytes.contains(13) && bytes.contains(10) {
        let crlf = NetworkMatch(parsing: text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n"))
        Fuzz.check(crlf == match && crlf.claims(link) == claimed, "match-crlf",
                   "LF and CR LF files differ for \(mac) \(Fuzz.show(name)): \(Fuzz.show(text))")
    }
    return 0
}
