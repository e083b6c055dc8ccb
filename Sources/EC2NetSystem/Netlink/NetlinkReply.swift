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
        let headerSize = NetlinkLayout.messageHeaderSize
        while i + headerSize <= data.count {
            let len = Int(HostOrder.read(UInt32.self, data, at: i))
            guard len >= headerSize, i + len <= data.count else { break }
            out.append(NetlinkReply(type: HostOrder.read(UInt16.self, data, at: i + NetlinkLayout.typeOffset),
                                    flags: HostOrder.read(UInt16.self, data, at: i + NetlinkLayout.flagsOffset),
                                    sequence: HostOrder.read(UInt32.self, data, at: i + NetlinkLayout.sequenceOffset),
                                    payload: Array(data[(i + headerSize)..<(i + len)])))
            i += NetlinkLayout.aligned(len)
        }
        return out
    }

    /// For NLMSG_ERROR: 0 for an acknowledgement, else a negative errno.
    public var errorCode: Int32? {
        guard type == RTNetlink.MessageType.error, payload.count >= 4 else { return nil }
        return HostOrder.read(Int32.self, payload, at: 0)
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
        let headerSize = NetlinkLayout.attributeHeaderSize
        while i + headerSize <= data.count {
            let len = Int(HostOrder.read(UInt16.self, data, at: i))
            guard len >= headerSize, i + len <= data.count else { break }
            let type = HostOrder.read(UInt16.self, data, at: i + NetlinkLayout.attributeTypeOffset) & NetlinkLayout.attributeTypeMask
            out.append((type: type, value: Array(data[(i + headerSize)..<(i + len)])))
            i += NetlinkLayout.aligned(len)
        }
        return out
    }
}
