/// Renders untrusted text for a log line: control characters are escaped so
/// that a value from IMDS can never forge a second log line.
public enum Printable {
    public static func quote(_ s: String, limit: Int = 80) -> String {
        "\"" + escaped(s, limit: limit) { "\\x" + String($0, radix: 16) } + "\""
    }

    /// `s` with quotes, backslashes, newlines, returns and tabs escaped as in
    /// C, and the other control characters spelled by `control` (logs use
    /// `\xNN`, JSON `\u00NN`); cut after `limit` characters with `…`.
    public static func escaped(_ s: String, limit: Int = Int.max, control: (UInt32) -> String) -> String {
        var out = ""
        var count = 0
        for u in s.unicodeScalars {
            if count >= limit { out += "…"; break }
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 || u.value == 0x7f {
                    out += control(u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
            count += 1
        }
        return out
    }
}
