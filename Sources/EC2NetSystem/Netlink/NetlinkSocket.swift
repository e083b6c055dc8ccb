import CLinux

public enum NetlinkError: Error, Equatable, CustomStringConvertible {
    case socket(errno: Int32)
    case kernel(errno: Int32, operation: String)

    public var errnoValue: Int32 {
        switch self {
        case .socket(let e), .kernel(let e, _): return e
        }
    }

    public var description: String {
        switch self {
        case .socket(let e): return "rtnetlink socket: \(SystemError.message(e))"
        case .kernel(let e, let op): return "\(op): \(SystemError.message(e))"
        }
    }
}

/// Sends requests over the raw transport behind `NetlinkTransport`, so the
/// message bytes can be checked against a mock in tests.
public protocol NetlinkTransport: AnyObject {
    func send(_ bytes: [UInt8]) throws(NetlinkError)
    func receive() throws(NetlinkError) -> [UInt8]
}

/// struct sockaddr_nl, which Glibc's module does not export.
struct NetlinkAddress {
    var family = UInt16(AF_NETLINK)
    var pad: UInt16 = 0
    var portID: UInt32 = 0
    var groups: UInt32 = 0
}

/// A NETLINK_ROUTE socket.
public final class NetlinkSocket: NetlinkTransport {
    static let NETLINK_ROUTE: Int32 = 0

    private let fd: Int32

    public init() throws(NetlinkError) {
        let f = socket(AF_NETLINK, ec2net_sock_raw | ec2net_sock_cloexec, NetlinkSocket.NETLINK_ROUTE)
        guard f >= 0 else { throw .socket(errno: errno) }
        var addr = NetlinkAddress()
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(f, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard rc == 0 else { let e = errno; close(f); throw .socket(errno: e) }
        fd = f
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) throws(NetlinkError) {
        var kernel = NetlinkAddress()
        let n = bytes.withUnsafeBytes { buf in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<NetlinkAddress>.size))
                }
            }
        }
        guard n == bytes.count else { throw .socket(errno: errno) }
    }

    public func receive() throws(NetlinkError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { if errno == EINTR { continue }; throw .socket(errno: errno) }
            return Array(buf[0..<n])
        }
    }
}

/// Request/response over a transport: waits for the ACK of a request, or
/// collects the messages of a dump until NLMSG_DONE.
public final class NetlinkChannel {
    private let transport: NetlinkTransport
    private var sequence: UInt32 = 1

    public init(transport: NetlinkTransport) { self.transport = transport }

    public func nextSequence() -> UInt32 { sequence += 1; return sequence }

    public func acknowledge(_ message: NetlinkMessage, operation: String) throws(NetlinkError) {
        try exchange(message, operation: operation) { _ in false }
    }

    /// A request answered by one message (e.g. RTM_GETLINK for one link).
    public func single(_ message: NetlinkMessage, operation: String) throws(NetlinkError) -> NetlinkReply {
        var answer: NetlinkReply? = nil
        try exchange(message, operation: operation) { r in answer = r; return false }
        guard let answer else { throw .kernel(errno: ENODATA, operation: operation) }
        return answer
    }

    public func dump(_ message: NetlinkMessage, operation: String) throws(NetlinkError) -> [NetlinkReply] {
        var out: [NetlinkReply] = []
        try exchange(message, operation: operation) { r in out.append(r); return true }
        return out
    }

    /// Sends a request and hands each reply of its sequence to `take` until
    /// the kernel ends the exchange: NLMSG_DONE, an ACK or an error, or
    /// `take` returning false (a single answer).
    private func exchange(_ message: NetlinkMessage, operation: String,
                          take: (NetlinkReply) -> Bool) throws(NetlinkError) {
        try transport.send(message.bytes)
        let seq = message.sequence
        while true {
            for r in NetlinkReply.split(try transport.receive()) where r.sequence == seq {
                if r.type == RTNetlink.MessageType.done { return }
                if let code = r.errorCode {
                    if code == 0 { return }
                    throw .kernel(errno: NetlinkReply.errnoValue(ofCode: code), operation: operation)
                }
                if !take(r) { return }
            }
        }
    }
}
