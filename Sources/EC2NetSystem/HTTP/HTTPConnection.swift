import CLinux
import EC2NetCore

/// One TCP connection to an HTTP server, reused for as many requests as the
/// server allows (IMDS keeps connections alive). Blocking I/O bounded by
/// poll(2) deadlines; no threads.
public final class HTTPConnection {
    public let url: HTTPURL
    private var fd: Int32 = -1
    public private(set) var connectionsOpened = 0

    public init(url: HTTPURL) { self.url = url }

    deinit { close() }

    public var isOpen: Bool { fd >= 0 }

    public func close() {
        if fd >= 0 { CLinux.close(fd); fd = -1 }
    }

    /// Sends one request and reads its response. Opens the connection if
    /// needed; closes it when the server says so or on any error.
    public func send(method: String, path: String, headers: [HTTPHeader], connectTimeout: Double,
                     timeout: Double, bodyLimit: Int, clock: MonotonicClock) throws(HTTPError) -> HTTPResponse {
        let deadline = clock.now() + timeout
        let reused = fd >= 0
        if !reused { try open(connectTimeout: connectTimeout, clock: clock) }
        var request = "\(method) \(url.basePath)\(path) HTTP/1.1\r\nHost: \(url.authority)\r\n"
        for h in headers { request += "\(h.name): \(h.value)\r\n" }
        if method == "PUT" { request += "Content-Length: 0\r\n" }
        request += "\r\n"
        do throws(HTTPError) {
            try writeAll(Array(request.utf8), deadline: deadline, clock: clock)
            var parser = HTTPResponseParser(bodyLimit: bodyLimit)
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                acknowledgeAtOnce()
                try wait(for: Int16(POLLIN), deadline: deadline, clock: clock)
                let n = chunk.withUnsafeMutableBytes { CLinux.read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw errno == ECONNRESET ? HTTPError.reset : HTTPError.io(errno: errno)
                }
                if n == 0 {
                    let r = try parser.finish()
                    close()
                    return r
                }
                if let r = try parser.feed(chunk[0..<n]) {
                    if r.closesConnection { close() }
                    return r
                }
            }
        } catch {
            close()
            // A kept-alive connection the server dropped while idle is not a
            // failure of this request: one fresh connection gets a retry.
            if reused && (error == .closed || error == .reset) {
                return try send(method: method, path: path, headers: headers, connectTimeout: connectTimeout,
                                timeout: max(0.001, deadline - clock.now()), bodyLimit: bodyLimit, clock: clock)
            }
            throw error
        }
    }

    /// Asks the kernel to acknowledge the next segment at once instead of
    /// delaying the ACK. A server that writes a response's head and body
    /// separately with Nagle on holds the body until the head is
    /// acknowledged: on a kept-alive connection a delayed ACK costs ~40 ms
    /// per response (measured: ec2-plug 31 ms -> 510 ms, bench/README.md).
    /// The kernel clears TCP_QUICKACK by itself, so it is set before every read.
    private func acknowledgeAtOnce() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private func open(connectTimeout: Double, clock: MonotonicClock) throws(HTTPError) {
        var hints = addrinfo()
        hints.ai_socktype = ec2net_sock_stream
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(url.host, String(url.port), &hints, &result)
        guard rc == 0, let first = result else { throw .resolve(url.host) }
        defer { freeaddrinfo(result) }
        var lastError = HTTPError.resolve(url.host)
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let s = socket(a.pointee.ai_family, ec2net_sock_stream | ec2net_sock_cloexec | ec2net_sock_nonblock, 0)
            if s < 0 { lastError = .io(errno: errno); continue }
            var one: Int32 = 1
            setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                fd = s
                do throws(HTTPError) {
                    try wait(for: Int16(POLLOUT), deadline: clock.now() + connectTimeout, clock: clock)
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
                    if err == 0 {
                        connectionsOpened += 1
                        return
                    }
                    lastError = .connect(url.authority, errno: err)
                } catch {
                    lastError = error == .timeout ? .connectTimeout(url.authority) : error
                }
                close()
            } else {
                lastError = .connect(url.authority, errno: errno)
                CLinux.close(s)
            }
        }
        throw lastError
    }

    private func writeAll(_ bytes: [UInt8], deadline: Double, clock: MonotonicClock) throws(HTTPError) {
        var off = 0
        while off < bytes.count {
            try wait(for: Int16(POLLOUT), deadline: deadline, clock: clock)
            let n = bytes[off...].withUnsafeBytes { CLinux.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw errno == ECONNRESET || errno == EPIPE ? HTTPError.reset : HTTPError.io(errno: errno)
            }
            off += n
        }
    }

    /// `seconds` (0 < seconds <= 60) as whole milliseconds, rounded up, so a
    /// poll never returns before the deadline. Integer arithmetic, not
    /// Double.rounded, which calls libm's ceil(3); the Embedded release
    /// build links no libm (EmbeddedEntry.swift).
    static func milliseconds(roundingUp seconds: Double) -> Int32 {
        let ms = seconds * 1000
        let whole = Int32(ms)
        return Double(whole) < ms ? whole + 1 : whole
    }

    private func wait(for events: Int16, deadline: Double, clock: MonotonicClock) throws(HTTPError) {
        while true {
            let remaining = deadline - clock.now()
            if remaining <= 0 { throw .timeout }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Self.milliseconds(roundingUp: min(remaining, 60)))
            if rc < 0 {
                if errno == EINTR { continue }
                throw .io(errno: errno)
            }
            if rc > 0 { return }
        }
    }
}
