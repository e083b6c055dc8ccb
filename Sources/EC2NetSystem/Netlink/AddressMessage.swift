/// struct ifaddrmsg (8 bytes): family, prefixlen, flags, scope, index.
public struct AddressMessage: NetlinkFixedHeader {
    public static let size = 8
    public var family: UInt8 = 0
    public var prefixLength: UInt8 = 0
    public var flags: UInt8 = 0
    public var scope: UInt8 = 0
    public var index: UInt32 = 0

    public init(family: UInt8 = 0) { self.family = family }

    public var encoded: [UInt8] { [family, prefixLength, flags, scope] + HostOrder.bytes(index) }

    public init?(decoding p: [UInt8]) {
        guard p.count >= Self.size else { return nil }
        family = p[0]
        prefixLength = p[1]
        flags = p[2]
        scope = p[3]
        index = HostOrder.read(UInt32.self, p, at: 4)
    }
}
