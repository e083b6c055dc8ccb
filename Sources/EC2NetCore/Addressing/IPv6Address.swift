/// An IPv6 address, stored as 16 bytes and printed in RFC 5952 form, so the
/// same address from IMDS always renders to the same bytes in a config file.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 16)
        self.bytes = bytes
    }

    public init(parsing text: Substring) throws(AddressError) {
        let fail = AddressError.invalidIPv6(String(text))
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8.count <= 45 else { throw fail }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var i = 0
        if utf8.starts(with: [58, 58]) { sawGap = true; i = 2 }
        else if utf8[0] == 58 { throw fail }
        var embeddedV4: [UInt8]? = nil
        while i < utf8.count {
            // A group: up to 4 hex digits, or a trailing dotted quad.
            var j = i
            while j < utf8.count && utf8[j] != 58 { j += 1 }
            let group = utf8[i..<j]
            if group.contains(46) {
                guard j == utf8.count else { throw fail }
                guard let v4 = try? IPv4Address(parsing: Substring(decoding: group, as: UTF8.self)) else { throw fail }
                embeddedV4 = v4.bytes
                i = j
                break
            }
            guard !group.isEmpty, group.count <= 4 else { throw fail }
            var v: UInt16 = 0
            for c in group {
                guard let d = HexDigit.value(c) else { throw fail }
                v = v << 4 | UInt16(d)
            }
            if sawGap { tail.append(v) } else { head.append(v) }
            i = j
            if i < utf8.count {
                // skip ':' ; '::' marks the gap
                i += 1
                if i < utf8.count && utf8[i] == 58 {
                    if sawGap { throw fail }
                    sawGap = true
                    i += 1
                } else if i == utf8.count {
                    throw fail
                }
            }
        }
        var groups = head.count + tail.count
        if embeddedV4 != nil { groups += 2 }
        if sawGap { guard groups <= 7 else { throw fail } } else { guard groups == 8 else { throw fail } }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for g in head { out.append(UInt8(g >> 8)); out.append(UInt8(g & 0xff)) }
        let zeros = 16 - groups * 2
        if sawGap { out.append(contentsOf: repeatElement(0, count: zeros)) }
        for g in tail { out.append(UInt8(g >> 8)); out.append(UInt8(g & 0xff)) }
        if let v4 = embeddedV4 { out.append(contentsOf: v4) }
        guard out.count == 16 else { throw fail }
        bytes = out
    }

    public init(parsing text: String) throws(AddressError) { try self.init(parsing: Substring(text)) }

    public var description: String {
        // RFC 5952 section 5: IPv4-mapped addresses end in dotted-quad form.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return "::ffff:\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])"
        }
        var groups: [UInt16] = []
        for k in 0..<8 { groups.append(UInt16(bytes[2 * k]) << 8 | UInt16(bytes[2 * k + 1])) }
        // RFC 5952: compress the longest run (>= 2) of zero groups, the first on ties.
        var bestStart = -1, bestLen = 0, k = 0
        while k < 8 {
            if groups[k] == 0 {
                var e = k
                while e < 8 && groups[e] == 0 { e += 1 }
                if e - k > bestLen && e - k >= 2 { bestStart = k; bestLen = e - k }
                k = e
            } else { k += 1 }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let left = groups[0..<bestStart].map(hex).joined(separator: ":")
        let right = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return left + "::" + right
    }

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
