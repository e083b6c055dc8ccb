/// The fixed family header that follows nlmsghdr (ifinfomsg, ifaddrmsg,
/// rtmsg, fib_rule_hdr): encoded into a request, decoded from a reply, both
/// byte for byte, so no code works with offsets into raw bytes.
public protocol NetlinkFixedHeader: Equatable {
    static var size: Int { get }
    var encoded: [UInt8] { get }
    /// nil when the payload is too short for the header.
    init?(decoding payload: [UInt8])
}

/// Little helpers for the headers' host-order integer fields.
enum HostOrder {
    static func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ d: [UInt8], at i: Int) -> T {
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { for k in 0..<MemoryLayout<T>.size { $0[k] = d[i + k] } }
        return v
    }
}
