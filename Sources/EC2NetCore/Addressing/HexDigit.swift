/// One ASCII hex digit's value, for the parsers of MACs, IPv6 addresses and
/// chunked HTTP sizes.
public enum HexDigit {
    public static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
