/// An Ethernet address, printed lower-case with colons: the form IMDS uses
/// in `macs/<mac>/` and the form networkd matches on.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 6)
        self.bytes = bytes
    }

    public init(parsing text: Substring) throws(AddressError) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 17 else { throw .invalidMAC(String(text)) }
        var out: [UInt8] = []
        for k in 0..<6 {
            if k > 0 && utf8[3 * k - 1] != UInt8(ascii: ":") { throw .invalidMAC(String(text)) }
            guard let hi = HexDigit.value(utf8[3 * k]), let lo = HexDigit.value(utf8[3 * k + 1]) else {
                throw .invalidMAC(String(text))
            }
            out.append(hi << 4 | lo)
        }
        bytes = out
    }

    public init(parsing text: String) throws(AddressError) { try self.init(parsing: Substring(text)) }

    public var description: String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined(separator: ":")
    }

    /// The MAC without separators, for file names (`lock-0a1b2c3d4e5f`).
    public var compact: String { description.split(separator: ":").joined() }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
