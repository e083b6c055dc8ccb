import Glibc
import EC2NetCore

/// Sets the kernel hostname from IMDS `local-hostname` when the admin set
/// none (`/etc/hostname` missing or empty), with sethostname(2): no
/// hostnamectl, no shell. A static hostname is never changed.
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

    public static func apply(_ name: String) throws(FileError) {
        let bytes = Array(name.utf8)
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { sethostname($0.baseAddress!, $0.count) }
        }
        guard rc == 0 else { throw .operation("sethostname", path: name, errno: errno) }
    }
}
