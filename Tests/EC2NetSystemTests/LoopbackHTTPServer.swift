import Foundation
import Glibc

/// A scripted HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for the
/// IMDS client tests: one thread accepts, one thread per connection reads
/// requests and answers what the handler says. Keeps connections alive
/// unless told otherwise, and counts them.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        let headers: [(name: String, value: String)]
        /// 1-based number of the TCP connection it arrived on.
        let connection: Int
        /// How many earlier requests had the same method and path.
        let repeatCount: Int

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    indirect enum Reply: Sendable {
        /// Bytes written as they are; the connection stays open.
        case raw([UInt8])
        /// Bytes written, then the connection closed.
        case rawThenClose([UInt8])
        /// Close without answering.
        case close
        /// Wait (interrupted by stop()), then reply.
        case delay(Double, Reply)

        static func status(_ code: Int, _ body: String = "", headers: [String] = []) -> Reply {
            .raw(response(code, Array(body.utf8), headers: headers))
        }

        static func ok(_ body: String) -> Reply { .status(200, body) }

        static func chunked(_ chunks: [String]) -> Reply {
            var text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            for c in chunks { text += String(c.utf8.count, radix: 16) + "\r\n" + c + "\r\n" }
            text += "0\r\n\r\n"
            return .raw(Array(text.utf8))
        }

        static func response(_ code: Int, _ body: [UInt8], headers: [String] = []) -> [UInt8] {
            var head = "HTTP/1.1 \(code) \(code == 200 ? "OK" : "Status")\r\nContent-Length: \(body.count)\r\n"
            for h in headers { head += h + "\r\n" }
            return Array((head + "\r\n").utf8) + body
        }
    }

    typealias Handler = @Sendable (Request) -> Reply

    private let listenFD: Int32
    let port: UInt16
    private let handler: Handler
    private let state = NSCondition()
    private var stopped = false
    private var connectionFDs: Set<Int32> = []
    private var _connections = 0
    private var _requests: [Request] = []
    private let threads = DispatchGroup()

    var url: String { "http://127.0.0.1:\(port)" }

    var connectionCount: Int { state.lock(); defer { state.unlock() }; return _connections }
    var requests: [Request] { state.lock(); defer { state.unlock() }; return _requests }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard ok else { let e = errno; close(fd); throw POSIXError(.init(rawValue: e) ?? .EIO) }
        listenFD = fd
        port = UInt16(bigEndian: addr.sin_port)
        threads.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            threads.leave()
        }
    }

    deinit { stop() }

    /// Stops accepting, interrupts delays, closes every connection and waits for the threads.
    func stop() {
        state.lock()
        if stopped { state.unlock(); return }
        stopped = true
        shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in connectionFDs { shutdown(fd, Int32(SHUT_RDWR)) }
        state.broadcast()
        state.unlock()
        _ = threads.wait(timeout: .now() + 5)
        close(listenFD)
    }

    /// A port on 127.0.0.1 where nothing listens (connect is refused).
    static func refusedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            state.lock()
            if stopped { state.unlock(); close(fd); return }
            _connections += 1
            let number = _connections
            connectionFDs.insert(fd)
            state.unlock()
            threads.enter()
            Thread.detachNewThread { [self] in
                serve(fd, connection: number)
                state.lock()
                connectionFDs.remove(fd)
                state.unlock()
                close(fd)
                threads.leave()
            }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // Read one request head (the client sends no request bodies but Content-Length: 0).
            var end: Int? = nil
            while end == nil {
                end = LoopbackHTTPServer.find(buffer)
                if end != nil { break }
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let head = String(decoding: buffer[0..<end!], as: UTF8.self)
            buffer.removeFirst(end! + 4)
            let lines = head.components(separatedBy: "\r\n")
            let parts = lines[0].split(separator: " ")
            guard parts.count == 3 else { return }
            var headers: [(name: String, value: String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            let method = String(parts[0]), path = String(parts[1])
            state.lock()
            let repeatCount = _requests.filter { $0.method == method && $0.path == path }.count
            let request = Request(method: method, path: path, headers: headers, connection: connection, repeatCount: repeatCount)
            _requests.append(request)
            state.unlock()

            var reply = handler(request)
            while case .delay(let seconds, let next) = reply {
                state.lock()
                let deadline = Date(timeIntervalSinceNow: seconds)
                while !stopped && state.wait(until: deadline) {}
                let wasStopped = stopped
                state.unlock()
                if wasStopped { return }
                reply = next
            }
            switch reply {
            case .raw(let bytes):
                guard write(fd, bytes) else { return }
            case .rawThenClose(let bytes):
                _ = write(fd, bytes)
                return
            case .close, .delay:
                return
            }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    private static func find(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }
}

/// Replies like IMDSv2 for a dictionary of paths under /latest/meta-data/.
/// `override` may answer first (return nil to fall through).
func imdsHandler(token: String = "TOKEN-1", values: [String: String],
                 override: (@Sendable (LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply?)? = nil) -> LoopbackHTTPServer.Handler {
    return { request in
        if let r = override?(request) { return r }
        if request.method == "PUT" && request.path == "/latest/api/token" {
            guard request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil else { return .status(400) }
            return .ok(token)
        }
        guard request.method == "GET", request.path.hasPrefix("/latest/meta-data/") else { return .status(405) }
        guard request.header("X-aws-ec2-metadata-token") == token else { return .status(401) }
        if let v = values[String(request.path.dropFirst("/latest/meta-data/".count))] { return .ok(v) }
        return .status(404, "<html>404 - Not Found</html>")
    }
}
