/// A netlink request: nlmsghdr, the fixed family header (a
/// NetlinkFixedHeader), then attributes, each aligned to 4 bytes. Host byte
/// order, as netlink is. Numbers come from RTNetlink.
public struct NetlinkMessage: Equatable {
    public private(set) var bytes: [UInt8]

    /// A message without a family header (tests, NLMSG_DONE).
    public init(type: UInt16, flags: UInt16, sequence: UInt32) {
        bytes = []
        bytes += HostOrder.bytes(UInt32(0))  // length, patched as the message grows
        bytes += HostOrder.bytes(type)
        bytes += HostOrder.bytes(flags)
        bytes += HostOrder.bytes(sequence)
        bytes += HostOrder.bytes(UInt32(0))  // port id: the kernel fills it in
        patchLength()
    }

    /// nlmsghdr.nlmsg_seq, which the kernel's replies carry back.
    public var sequence: UInt32 { HostOrder.read(UInt32.self, bytes, at: NetlinkLayout.sequenceOffset) }

    public init<H: NetlinkFixedHeader>(type: UInt16, flags: UInt16, sequence: UInt32, header: H) {
        self.init(type: type, flags: flags, sequence: sequence)
        bytes += header.encoded
        patchLength()
    }

    /// An attribute with a raw payload.
    public mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        bytes += HostOrder.bytes(UInt16(4 + payload.count))
        bytes += HostOrder.bytes(type)
        bytes += payload
        pad()
    }

    public mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    public mutating func attribute(_ type: UInt16, uint32: UInt32) {
        attribute(type, HostOrder.bytes(uint32))
    }

    /// A nested attribute: its length covers everything `body` appends.
    public mutating func nested(_ type: UInt16, _ body: (inout NetlinkMessage) -> Void) {
        let start = bytes.count
        bytes += HostOrder.bytes(UInt16(0))
        bytes += HostOrder.bytes(type | RTNetlink.nestedAttribute)
        patchLength()
        body(&self)
        let length = HostOrder.bytes(UInt16(bytes.count - start))
        bytes[start] = length[0]
        bytes[start + 1] = length[1]
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
        patchLength()
    }

    private mutating func patchLength() {
        let n = HostOrder.bytes(UInt32(bytes.count))
        for k in 0..<4 { bytes[k] = n[k] }
    }
}
