import EC2NetCore
import EC2NetSystem
import FuzzSupport

// ec2net.conf text -> ConfigParser.apply, as two files (the input cut at
// its first NUL: a main file and a drop-in applied after it).
// Properties: no trap; every diagnostic is one line (it goes to syslog as
// is); every accepted value is within its documented range and prints
// back to itself; an accepted Endpoint= is one line, and when HTTPURL takes
// it, its description parses to the same URL; and a file with CR LF line
// ends means the same as with LF (id config-crlf).

func parse(_ files: [String]) -> ConfigParser {
    var p = ConfigParser()
    for (k, text) in files.enumerated() { p.apply(text: text, file: "/etc/ec2net/\(k).conf") }
    return p
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let bytes = input.rest()
    let files = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let p = parse(files)
    let c = p.configuration

    for d in p.diagnostics {
        Fuzz.check(Fuzz.isOneLine(d.message), "config-diagnostic-line", "diagnostic \(Fuzz.show(d.description))")
        Fuzz.check(d.line >= 1, "config-diagnostic-number", d.description)
    }
    if let mtu = c.mtu { Fuzz.check((576...9216).contains(mtu), "config-mtu", "\(mtu)") }
    Fuzz.check(c.imdsTimeout >= 0.05 && c.imdsTimeout <= 60, "config-timeout", "\(c.imdsTimeout)")
    Fuzz.check(c.deviceNumberTimeout >= 0.05 && c.deviceNumberTimeout <= 170, "config-timeout", "\(c.deviceNumberTimeout)")
    for rule in c.exclude {
        Fuzz.check((try? ExclusionRule(parsing: Substring(rule.description))) == rule, "config-exclude-roundtrip", rule.description)
    }
    if let e = c.imdsEndpoint {
        Fuzz.check(Fuzz.isOneLine(e) && !e.contains(" ") && e.hasPrefix("http://"), "config-endpoint", Fuzz.show(e))
        if let url = try? HTTPURL(parsing: e) {
            Fuzz.check((try? HTTPURL(parsing: url.description)) == url, "url-roundtrip", "\(Fuzz.show(e)) -> \(url)")
            Fuzz.check(Fuzz.isOneLine(url.authority) && !url.authority.contains(" "), "url-authority", Fuzz.show(url.authority))
        }
    }

    // The same files with CR LF line ends (only for LF-only input, so the
    // rewrite is exact).
    if !bytes.contains(13) && bytes.contains(10) {
        let crlf = parse(files.map { $0.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") })
        Fuzz.check(crlf.configuration == c, "config-crlf", "LF and CR LF files differ: \(Fuzz.show(files.joined(separator: "|")))")
    }
    return 0
}
