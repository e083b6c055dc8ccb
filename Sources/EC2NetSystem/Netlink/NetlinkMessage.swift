/// A netlink message built byte by byte: nlmsghdr, a fixed family header,
/// then attributes, each aligned to 4 bytes. Host byte order, as netlink is.
public struct NetlinkMessage: Equatable {
    public static let NLM_F_REQUEST: UInt16 = 0x1
    public static let NLM_F_ACK: UInt16 = 0x4
    public static let NLM_F_ROOT: UInt16 = 0x100
    public static let NLM_F_MATCH: UInt16 = 0x200
    public static let NLM_F_DUMP: UInt16 = 0x300
    public static let NLM_F_EXCL: UInt16 = 0x200
    public static let NLM_F_CREATE: UInt16 = 0x400
    public static let NLM_F_APPEND: UInt16 = 0x800
    public static let NLMSG_ERROR: UInt16 = 2
    public static let NLMSG_DONE: UInt16 = 3
    public static let NLA_F_NESTED: UInt16 = 0x8000

    public private(set) var bytes: [UInt8]

    public init(type: UInt16, flags: UInt16, sequence: UInt32) {
        bytes = []
        append32(0) // length, patched as the message grows
        append16(type)
        append16(flags)
        append32(sequence)
        append32(0) // port id: the kernel fills it in
    }

    public mutating func append8(_ v: UInt8) { bytes.append(v); patchLength() }
    public mutating func append16(_ v: UInt16) { withUnsafeBytes(of: v) { bytes += $0 }; patchLength() }
    public mutating func append32(_ v: UInt32) { withUnsafeBytes(of: v) { bytes += $0 }; patchLength() }
    public mutating func appendInt32(_ v: Int32) { append32(UInt32(bitPattern: v)) }

    /// An attribute with a raw payload.
    public mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        append16(UInt16(4 + payload.count))
        append16(type)
        bytes += payload
        pad()
    }

    public mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    public mutating func attribute(_ type: UInt16, uint32: UInt32) {
        attribute(type, withUnsafeBytes(of: uint32) { Array($0) })
    }

    /// A nested attribute: its length covers everything `body` appends.
    public mutating func nested(_ type: UInt16, _ body: (inout NetlinkMessage) -> Void) {
        let start = bytes.count
        append16(0)
        append16(type | NetlinkMessage.NLA_F_NESTED)
        body(&self)
        let length = UInt16(bytes.count - start)
        withUnsafeBytes(of: length) { bytes[start] = $0[0]; bytes[start + 1] = $0[1] }
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
        patchLength()
    }

    private mutating func patchLength() {
        guard bytes.count >= 4 else { return }
        let n = UInt32(bytes.count)
        withUnsafeBytes(of: n) { for k in 0..<4 { bytes[k] = $0[k] } }
    }
}
