/// An IPv4 address in dotted-quad form. Parsing is strict: four decimal
/// octets, no leading zeros (which some parsers read as octal), no spaces.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(parsing text: Substring) throws(AddressError) {
        var octets: [UInt32] = []
        octets.reserveCapacity(4)
        var current: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, octets.count < 3 else { throw .invalidIPv4(String(text)) }
                octets.append(current)
                current = 0; digits = 0; leadingZero = false
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                if digits == 1 && leadingZero { throw .invalidIPv4(String(text)) }
                if digits == 0 && c == UInt8(ascii: "0") { leadingZero = true }
                current = current * 10 + UInt32(c - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { throw .invalidIPv4(String(text)) }
            } else {
                throw .invalidIPv4(String(text))
            }
        }
        guard digits > 0, octets.count == 3 else { throw .invalidIPv4(String(text)) }
        octets.append(current)
        value = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
    }

    public init(parsing text: String) throws(AddressError) { try self.init(parsing: Substring(text)) }

    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}
