/// struct rtmsg (12 bytes): family, dst_len, src_len, tos, table,
/// protocol, scope, type, flags.
public struct RouteMessage: NetlinkFixedHeader {
    public static let size = 12
    public var family: UInt8 = 0
    public var destinationLength: UInt8 = 0
    public var sourceLength: UInt8 = 0
    public var tos: UInt8 = 0
    /// The table when below 256; RTA_TABLE carries it always.
    public var table: UInt8 = 0
    public var routingProtocol: UInt8 = 0
    public var scope: UInt8 = 0
    public var type: UInt8 = 0
    public var flags: UInt32 = 0

    public init(family: UInt8 = 0) { self.family = family }

    public var encoded: [UInt8] {
        [family, destinationLength, sourceLength, tos, table, routingProtocol, scope, type] + HostOrder.bytes(flags)
    }

    public init?(decoding p: [UInt8]) {
        guard p.count >= Self.size else { return nil }
        family = p[0]
        destinationLength = p[1]
        sourceLength = p[2]
        tos = p[3]
        table = p[4]
        routingProtocol = p[5]
        scope = p[6]
        type = p[7]
        flags = HostOrder.read(UInt32.self, p, at: 8)
    }
}
