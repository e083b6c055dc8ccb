/// The fixed family header that follows nlmsghdr (ifinfomsg, ifaddrmsg,
/// rtmsg, fib_rule_hdr): encoded into a request, decoded from a reply, both
/// byte for byte, so no code works with offsets into raw bytes.
public protocol NetlinkFixedHeader: Equatable {
    static var size: Int { get }
    var encoded: [UInt8] { get }
    /// nil when the payload is too short for the header.
    init?(decoding payload: [UInt8])
}

/// Little helpers for the headers' host-order integer fields (public for
/// the fuzz targets, which walk replies byte by byte).
public enum HostOrder {
    public static func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

    public static func read<T: FixedWidthInteger>(_ type: T.Type, _ d: [UInt8], at i: Int) -> T {
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { for k in 0..<MemoryLayout<T>.size { $0[k] = d[i + k] } }
        return v
    }
}

/// nlmsghdr and nlattr layout (linux/netlink.h), for the code that splits
/// replies and reads a request's sequence back.
public enum NetlinkLayout {
    /// NLMSG_HDRLEN: length, type, flags, sequence, port id.
    public static let messageHeaderSize = 16
    public static let typeOffset = 4
    public static let flagsOffset = 6
    public static let sequenceOffset = 8
    /// NLA_HDRLEN: length, type.
    public static let attributeHeaderSize = 4
    public static let attributeTypeOffset = 2
    /// NLA_TYPE_MASK: the type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
    public static let attributeTypeMask: UInt16 = 0x3fff

    /// NLMSG_ALIGN / NLA_ALIGN: messages and attributes start on 4 bytes.
    public static func aligned(_ n: Int) -> Int { (n + 3) & ~3 }
}
