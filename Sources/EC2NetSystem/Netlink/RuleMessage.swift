/// struct fib_rule_hdr (12 bytes): family, dst_len, src_len, tos, table,
/// res1, res2, action, flags.
public struct RuleMessage: NetlinkFixedHeader {
    public static let size = 12
    public var family: UInt8 = 0
    public var destinationLength: UInt8 = 0
    public var sourceLength: UInt8 = 0
    public var tos: UInt8 = 0
    /// The table when below 256; FRA_TABLE carries it always.
    public var table: UInt8 = 0
    public var action: UInt8 = 0
    public var flags: UInt32 = 0

    public init(family: UInt8 = 0, sourceLength: UInt8 = 0) {
        self.family = family
        self.sourceLength = sourceLength
    }

    public var encoded: [UInt8] {
        [family, destinationLength, sourceLength, tos, table, 0, 0, action] + HostOrder.bytes(flags)
    }

    public init?(decoding p: [UInt8]) {
        guard p.count >= Self.size else { return nil }
        family = p[0]
        destinationLength = p[1]
        sourceLength = p[2]
        tos = p[3]
        table = p[4]
        action = p[7]
        flags = HostOrder.read(UInt32.self, p, at: 8)
    }
}
