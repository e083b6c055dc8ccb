/// One message received from the kernel, split into header fields and
/// payload; attributes are read with `attributes(after:)`.
public struct NetlinkReply: Equatable {
    public let type: UInt16
    public let flags: UInt16
    public let sequence: UInt32
    public let payload: [UInt8]

    /// Splits a datagram into messages; malformed lengths end the walk.
    public static func split(_ data: [UInt8]) -> [NetlinkReply] {
        var out: [NetlinkReply] = []
        var i = 0
        while i + 16 <= data.count {
            let len = Int(read32(data, i))
            guard len >= 16, i + len <= data.count else { break }
            out.append(NetlinkReply(type: read16(data, i + 4), flags: read16(data, i + 6),
                                    sequence: read32(data, i + 8), payload: Array(data[(i + 16)..<(i + len)])))
            i += (len + 3) & ~3
        }
        return out
    }

    /// For NLMSG_ERROR: 0 for an acknowledgement, else a negative errno.
    public var errorCode: Int32? {
        guard type == RTNetlink.MessageType.error, payload.count >= 4 else { return nil }
        return Int32(bitPattern: NetlinkReply.read32(payload, 0))
    }

    /// The errno of an error reply as a positive number; a value the kernel
    /// never sends (Int32.min) must not crash the negation.
    public static func errnoValue(ofCode code: Int32) -> Int32 {
        code == Int32.min ? Int32.max : abs(code)
    }

    /// The fixed family header at the start of the payload, if it fits.
    public func header<H: NetlinkFixedHeader>(_ type: H.Type) -> H? { H(decoding: payload) }

    /// Attributes following the fixed header `H`: (type, payload).
    public func attributes<H: NetlinkFixedHeader>(after header: H.Type) -> [(type: UInt16, value: [UInt8])] {
        attributes(after: H.size)
    }

    /// Attributes following a fixed header of `headerSize` bytes.
    public func attributes(after headerSize: Int) -> [(type: UInt16, value: [UInt8])] {
        NetlinkReply.attributes(in: payload, from: headerSize)
    }

    public static func attributes(in data: [UInt8], from start: Int) -> [(type: UInt16, value: [UInt8])] {
        var out: [(type: UInt16, value: [UInt8])] = []
        var i = start
        while i + 4 <= data.count {
            let len = Int(read16(data, i))
            guard len >= 4, i + len <= data.count else { break }
            out.append((type: read16(data, i + 2) & 0x3fff, value: Array(data[(i + 4)..<(i + len)])))
            i += (len + 3) & ~3
        }
        return out
    }

    public static func read16(_ d: [UInt8], _ i: Int) -> UInt16 {
        var v: UInt16 = 0
        withUnsafeMutableBytes(of: &v) { $0[0] = d[i]; $0[1] = d[i + 1] }
        return v
    }

    public static func read32(_ d: [UInt8], _ i: Int) -> UInt32 {
        var v: UInt32 = 0
        withUnsafeMutableBytes(of: &v) { for k in 0..<4 { $0[k] = d[i + k] } }
        return v
    }
}
