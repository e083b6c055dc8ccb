/// struct ifinfomsg (16 bytes): family, pad, type, index, flags, change.
public struct InterfaceInfoMessage: NetlinkFixedHeader {
    public static let size = 16
    public var family: UInt8 = 0
    public var deviceType: UInt16 = 0
    public var index: Int32 = 0
    public var flags: UInt32 = 0
    public var change: UInt32 = 0

    public init(family: UInt8 = 0, index: Int32 = 0) {
        self.family = family
        self.index = index
    }

    public var encoded: [UInt8] {
        [family, 0] + HostOrder.bytes(deviceType) + HostOrder.bytes(index) + HostOrder.bytes(flags) + HostOrder.bytes(change)
    }

    public init?(decoding p: [UInt8]) {
        guard p.count >= Self.size else { return nil }
        family = p[0]
        deviceType = HostOrder.read(UInt16.self, p, at: 2)
        index = HostOrder.read(Int32.self, p, at: 4)
        flags = HostOrder.read(UInt32.self, p, at: 8)
        change = HostOrder.read(UInt32.self, p, at: 12)
    }
}
