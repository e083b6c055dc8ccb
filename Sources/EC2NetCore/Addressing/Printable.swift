/// Renders untrusted text for a log line: control characters are escaped so
/// that a value from IMDS can never forge a second log line.
public enum Printable {
    public static func quote(_ s: String, limit: Int = 80) -> String {
        var out = "\""
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
                    out += "\\x" + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
            count += 1
        }
        return out + "\""
    }
}
