import CLinux

/// The parts of systemd's configuration parser that decide what a `[Match]`
/// section holds, byte for byte as systemd v252 reads a .network file:
/// lines and continuations (`config_parse()`, src/shared/conf-parser.c),
/// words (`extract_first_word()`, src/basic/extract-word.c), and each key's
/// value parser (src/shared/net-condition.c, conf-parser.c).
enum NetworkdConfigParser {
    /// WHITESPACE in src/basic/string-util.h.
    static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    static func parse(_ text: String, into match: inout NetworkMatch) {
        var inMatch = false
        var continuation: [UInt8]? = nil
        for line in lines(Array(text.utf8)) {
            // A comment line is skipped, even inside a continuation.
            if let first = line.first(where: { !isWhitespace($0) }), first == UInt8(ascii: "#") || first == UInt8(ascii: ";") {
                continue
            }
            var joined = (continuation ?? []) + line
            // A line ending in an unescaped backslash continues on the next
            // one; the backslash becomes a space.
            var escaped = false
            for c in joined { escaped = escaped ? false : c == UInt8(ascii: "\\") }
            if escaped {
                joined[joined.count - 1] = 0x20
                continuation = joined
                continue
            }
            continuation = nil
            guard parseLine(strip(joined[...]), inMatch: &inMatch, into: &match) else { match.loads = false; return }
        }
        if let rest = continuation, !parseLine(strip(rest[...]), inMatch: &inMatch, into: &match) { match.loads = false }
    }

    /// `read_line()`: a line ends at LF, CR, CR LF or NUL.
    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = [], current: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x0A || c == 0x0D || c == 0 {
                out.append(current); current = []
                if c == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else {
                current.append(c)
            }
            i += 1
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func strip(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, isWhitespace(f) { s = s.dropFirst() }
        while let l = s.last, isWhitespace(l) { s = s.dropLast() }
        return s
    }

    /// `parse_line()`; false for the one error that fails the whole file.
    static func parseLine(_ l: ArraySlice<UInt8>, inMatch: inout Bool, into match: inout NetworkMatch) -> Bool {
        guard let first = l.first else { return true }
        if first == UInt8(ascii: "[") {
            guard l.count >= 2, l.last == UInt8(ascii: "]") else { return false }  // "Invalid section header"
            inMatch = Array(l.dropFirst().dropLast()) == Array("Match".utf8)
            return true
        }
        // Outside [Match] (or before any section, or in an unknown section):
        // nothing the matcher needs. A line without '=' or without a key is
        // skipped with a warning.
        guard inMatch, let eq = l.firstIndex(of: UInt8(ascii: "=")), eq != l.startIndex else { return true }
        let key = String(decoding: strip(l[..<eq]), as: UTF8.self)
        let value = Array(strip(l[(eq + 1)...]))
        assign(key, value, into: &match)
        return true
    }

    static func assign(_ key: String, _ value: [UInt8], into m: inout NetworkMatch) {
        switch key {
        case "MACAddress": hardwareAddresses(value, into: &m.hardwareAddresses, length: 0)
        case "PermanentMACAddress": hardwareAddresses(value, into: &m.permanentHardwareAddresses, length: 0)
        case "BSSID": hardwareAddresses(value, into: &m.bssids, length: 6)  // config_parse_ether_addrs
        case "Name": patterns(value, into: &m.names, flags: .none, valid: isValidInterfaceName)
        case "Path": patterns(value, into: &m.paths, flags: .unquoteRetainingEscapes)
        case "Driver": patterns(value, into: &m.drivers, flags: .unquoteRetainingEscapes)
        case "Type": patterns(value, into: &m.types, flags: .unquoteRetainingEscapes)
        case "Kind": patterns(value, into: &m.kinds, flags: .unquoteRetainingEscapes)
        case "WLANInterfaceType": patterns(value, into: &m.wlanInterfaceTypes, flags: .unquoteRetainingEscapes)
        case "SSID": patterns(value, into: &m.ssids, flags: .unquoteRetainingEscapes)
        case "Property": patterns(value, into: &m.properties, flags: .unquoteUnescaping, valid: isValidAssignment)
        case "Host", "Virtualization", "KernelCommandLine", "KernelVersion", "Architecture", "Credential", "Firmware":
            m.conditions.removeAll { $0 == key }
            if !value.isEmpty { m.conditions.append(key) }
        default: break  // other [Match] keys do not exist in 252: "Unknown key", ignored
        }
    }

    /// `config_parse_match_strv()`, `_ifnames()`, `_property()`: empty
    /// resets; a leading `!` negates every word; a word that fails
    /// validation is skipped; a syntax error (unbalanced quote, trailing
    /// backslash) ends the value, keeping the words before it.
    static func patterns(_ value: [UInt8], into list: inout [String], flags: WordFlags,
                         valid: ([UInt8]) -> Bool = { _ in true }) {
        if value.isEmpty { list = []; return }
        let inverted = value.first == UInt8(ascii: "!")
        var words = WordReader(inverted ? Array(value.dropFirst()) : value, flags: flags)
        while let word = words.next() {
            guard valid(word) else { continue }
            list.append((inverted ? "!" : "") + String(decoding: word, as: UTF8.self))
        }
    }

    /// `config_parse_hw_addrs()` (and `_ether_addrs()` for length 6).
    static func hardwareAddresses(_ value: [UInt8], into list: inout [[UInt8]], length: Int) {
        if value.isEmpty { list = []; return }
        var words = WordReader(value, flags: .none)
        while let word = words.next() {
            if let a = HardwareAddressText.parse(word, expectedLength: length), !list.contains(a) { list.append(a) }
        }
    }

    /// `ifname_valid_full(word, IFNAME_VALID_ALTERNATIVE)`
    /// (src/basic/socket-util.c): 1-127 bytes, no ifindex, not `.`/`..`,
    /// printable ASCII without `:`, `/`, `%`, not all digits.
    static func isValidInterfaceName(_ w: [UInt8]) -> Bool {
        guard !w.isEmpty, w.count < 128, !looksLikeIfindex(w) else { return false }
        if w == [0x2E] || w == [0x2E, 0x2E] { return false }
        var numeric = true
        for c in w {
            if c >= 127 || c <= 32 || c == UInt8(ascii: ":") || c == UInt8(ascii: "/") || c == UInt8(ascii: "%") { return false }
            numeric = numeric && c >= 0x30 && c <= 0x39
        }
        return !numeric
    }

    /// `parse_ifindex()`: `safe_atoi()` (base 0: decimal, 0x hex, 0 octal,
    /// optional `+`) of a value above 0.
    static func looksLikeIfindex(_ w: [UInt8]) -> Bool {
        var s = w[...]
        if s.first == UInt8(ascii: "+") { s = s.dropFirst() }
        guard !s.isEmpty else { return false }
        let text = String(decoding: s, as: UTF8.self)
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let v = Int(text.dropFirst(2), radix: 16) else { return false }
            return v > 0 && v <= Int(Int32.max)
        }
        if text.hasPrefix("0") && text.count > 1 {
            guard let v = Int(text.dropFirst(), radix: 8) else { return false }
            return v > 0 && v <= Int(Int32.max)
        }
        guard let v = Int(text, radix: 10) else { return false }
        return v > 0 && v <= Int(Int32.max)
    }

    /// `env_assignment_is_valid()` (src/basic/env-util.c): a valid variable
    /// name (letters, digits, `_`, not starting with a digit), `=`, a value
    /// without control characters other than tab and newline.
    static func isValidAssignment(_ w: [UInt8]) -> Bool {
        guard let eq = w.firstIndex(of: UInt8(ascii: "=")), eq > 0 else { return false }
        for (i, c) in w[..<eq].enumerated() {
            let letter = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            let digit = c >= 0x30 && c <= 0x39
            guard letter || (digit && i > 0) else { return false }
        }
        return !w[(eq + 1)...].contains { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A) || $0 == 0x7F }
    }
}

/// `extract_first_word()` flags as networkd's [Match] parsers use them.
enum WordFlags {
    /// `Name=`, `MACAddress=`: quotes are plain characters, a backslash
    /// escapes the next character.
    case none
    /// EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE (`Driver=`, `Type=`, …): quotes
    /// group, backslashes are plain characters.
    case unquoteRetainingEscapes
    /// EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE (`Property=`): quotes group, C
    /// escapes are decoded.
    case unquoteUnescaping
}

/// Words of a value, separated by whitespace, as `extract_first_word()`
/// cuts them; stops (nil) at the end or at a syntax error.
struct WordReader {
    let bytes: [UInt8]
    let flags: WordFlags
    var i = 0
    var failed = false

    init(_ bytes: [UInt8], flags: WordFlags) { self.bytes = bytes; self.flags = flags }

    mutating func next() -> [UInt8]? {
        guard !failed else { return nil }
        while i < bytes.count && NetworkdConfigParser.isWhitespace(bytes[i]) { i += 1 }
        guard i < bytes.count else { return nil }
        let unquote = flags != .none
        let escapes = flags != .unquoteRetainingEscapes
        var word: [UInt8] = []
        var quote: UInt8 = 0
        while i < bytes.count {
            let c = bytes[i]
            if quote != 0 {
                if c == quote { quote = 0; i += 1; continue }
                if c == UInt8(ascii: "\\") && escapes {
                    guard unescape(into: &word) else { failed = true; return nil }
                    continue
                }
                word.append(c); i += 1
                continue
            }
            if NetworkdConfigParser.isWhitespace(c) { break }
            if unquote && (c == UInt8(ascii: "'") || c == UInt8(ascii: "\"")) { quote = c; i += 1; continue }
            if c == UInt8(ascii: "\\") && escapes {
                guard unescape(into: &word) else { failed = true; return nil }
                continue
            }
            word.append(c); i += 1
        }
        if quote != 0 { failed = true; return nil }  // unbalanced quote: -EINVAL
        return word
    }

    /// At a backslash: appends what it stands for and moves past it; false
    /// for a trailing backslash or (C escapes) an unknown escape.
    mutating func unescape(into word: inout [UInt8]) -> Bool {
        i += 1
        guard i < bytes.count else { return false }
        let c = bytes[i]
        guard flags == .unquoteUnescaping else { word.append(c); i += 1; return true }
        // cunescape_one() (src/basic/escape.c), the common escapes.
        let simple: [UInt8: UInt8] = [0x61: 7, 0x62: 8, 0x66: 12, 0x6E: 10, 0x72: 13, 0x74: 9, 0x76: 11,
                                      0x5C: 0x5C, 0x22: 0x22, 0x27: 0x27, 0x73: 0x20]
        if let s = simple[c] { word.append(s); i += 1; return true }
        if c == UInt8(ascii: "x"), i + 2 < bytes.count,
           let hi = HardwareAddressText.hexValue(bytes[i + 1]), let lo = HardwareAddressText.hexValue(bytes[i + 2]) {
            let v = hi << 4 | lo
            guard v != 0 else { return false }
            word.append(v); i += 3; return true
        }
        return false
    }
}

/// `parse_hw_addr_full()` (src/basic/ether-addr-util.c).
enum HardwareAddressText {
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// `expectedLength` 0: 4 (IPv4 text), 16 (IPv6 text), 6 or 20 bytes;
    /// else exactly that many bytes, no IP text (6: `parse_ether_addr()`).
    static func parse(_ w: [UInt8], expectedLength: Int) -> [UInt8]? {
        if expectedLength == 0, let ip = ipAddress(w) { return ip }
        let maxLength = expectedLength == 0 ? 20 : expectedLength
        guard let sep = w.first(where: { hexValue($0) == nil }) else { return nil }
        let fieldSize: Int
        if sep == UInt8(ascii: ".") { fieldSize = 2 } else if sep == UInt8(ascii: ":") || sep == UInt8(ascii: "-") { fieldSize = 1 } else { return nil }
        guard maxLength % fieldSize == 0 else { return nil }
        var out: [UInt8] = []
        var p = 0
        var complete = false
        for _ in 0..<(maxLength / fieldSize) {
            var value = 0, digits = 0
            while digits < fieldSize * 2 {
                guard p < w.count, w[p] != sep else { break }
                guard let h = hexValue(w[p]) else { return nil }
                value = value << 4 | Int(h); digits += 1; p += 1
            }
            if digits == 0 { return nil }
            if p < w.count && w[p] != sep { return nil }
            if fieldSize == 2 { out.append(UInt8(value >> 8)); out.append(UInt8(value & 0xFF)) } else { out.append(UInt8(value)) }
            if p < w.count { p += 1 } else { complete = true; break }
        }
        guard complete else { return nil }
        if expectedLength == 0 { return [4, 16, 6, 20].contains(out.count) ? out : nil }
        return out.count == expectedLength ? out : nil
    }

    /// `in_addr_from_string_auto()`: inet_pton(3) for AF_INET, then AF_INET6.
    static func ipAddress(_ w: [UInt8]) -> [UInt8]? {
        let text = String(decoding: w, as: UTF8.self)
        var four = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &four) == 1 { return four }
        var sixteen = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &sixteen) == 1 { return sixteen }
        return nil
    }
}

extension Substring {
    func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}
