import EC2NetCore
import FuzzSupport

// An administrator's .network file -> NetworkMatch(parsing:) -> claims().
// Input: [6 MAC bytes][name length][name bytes (interface name, <= 15)]
// then the file text.
// Properties: no trap (fnmatch included); a MAC listed in [Match] is
// claimed whatever the name; a `!pattern` and `pattern` never both claim;
// and a file with CR LF line ends (networkd reads those) matches the same
// interfaces as with LF (id match-crlf).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mac = MACAddress(bytes: (0..<6).map { _ in input.byte() })
    let nameLength = Int(input.byte()) % 16
    let name = String(decoding: (0..<nameLength).map { _ in input.byte() }, as: UTF8.self)
    let bytes = input.rest()
    let text = String(decoding: bytes, as: UTF8.self)

    let match = NetworkMatch(parsing: text)
    let claimed = match.claims(mac: mac, interface: name)
    for m in match.macs {
        Fuzz.check(match.claims(mac: m, interface: name), "match-mac", "\(m) listed but not claimed")
    }
    if match.macs.contains(mac) { Fuzz.check(claimed, "match-mac", "\(mac) listed but not claimed") }
    for p in match.namePatterns where !p.hasPrefix("!") {
        Fuzz.check(!p.isEmpty, "match-pattern", Fuzz.show(p))
        Fuzz.check(!p.unicodeScalars.contains("\n"), "match-crlf", "pattern spans lines: \(Fuzz.show(p))")
        let one = NetworkMatch(parsing: "[Match]\nName=\(p)\n")
        let negated = NetworkMatch(parsing: "[Match]\nName=!\(p)\n")
        Fuzz.check(!(one.claims(mac: mac, interface: name) && negated.claims(mac: mac, interface: name)),
                   "match-negation", "\(Fuzz.show(p)) and its negation both claim \(Fuzz.show(name))")
    }

    if !bytes.contains(13) && bytes.contains(10) {
        let crlf = NetworkMatch(parsing: text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n"))
        Fuzz.check(crlf.claims(mac: mac, interface: name) == claimed && crlf.macs == match.macs, "match-crlf",
                   "LF and CR LF files differ for \(mac) \(Fuzz.show(name)): \(Fuzz.show(text))")
    }
    return 0
}
