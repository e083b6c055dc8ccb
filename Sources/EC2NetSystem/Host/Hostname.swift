import EC2NetCore

/// Whether to take the hostname from IMDS `local-hostname`: only when the
/// admin set none (`/etc/hostname` missing or empty). A static hostname is
/// never changed. HostnameUpdate applies the decision through a HostnameSetter.
public enum Hostname {
    public enum Decision: Equatable {
        case keepStatic
        case set(String)
        case invalid(String)
    }

    /// `local-hostname` may hold several space-separated names (bottlerocket
    /// #3032): the first is used. Only letters, digits, '-' and '.' pass.
    public static func decide(etcHostname: String?, imdsValue: String) -> Decision {
        if let etc = etcHostname, etc.contains(where: { !$0.isWhitespace }) { return .keepStatic }
        let first = imdsValue.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first.map(String.init) ?? ""
        let valid = !first.isEmpty && first.utf8.count <= 253 && !first.hasPrefix("-") && !first.hasPrefix(".")
            && first.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 }
        return valid ? .set(first) : .invalid(first)
    }
}
