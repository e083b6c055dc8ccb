/// Linux interface names as they may appear in a file name or a log line:
/// 1 to 15 bytes, no '/', no whitespace, not "." or "..".
public enum InterfaceNameRule {
    public static func isValid(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard (1...15).contains(u.count), name != ".", name != ".." else { return false }
        return u.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") }
    }
}
