import EC2NetCore

/// Incremental HTTP/1.1 response parser: feed bytes as they arrive, get a
/// response when one is complete. Pure, so the fuzzer can drive it.
/// Supports Content-Length, chunked, and read-until-close bodies, with a
/// cap on header and body size so a hostile server cannot exhaust memory.
public struct HTTPResponseParser {
    public static let maxHeaderBytes = 16 * 1024

    public let bodyLimit: Int
    private var buffer: [UInt8] = []
    private var head: Head? = nil

    private struct Head {
        var status: Int
        var headers: [HTTPHeader]
        var closes: Bool
        var framing: Framing
        var bodyStart: Int
    }

    private enum Framing: Equatable {
        case length(Int)
        case chunked
        case untilClose
    }

    public init(bodyLimit: Int = 64 * 1024) { self.bodyLimit = bodyLimit }

    /// Adds bytes; returns the response once complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(HTTPError) -> HTTPResponse? {
        buffer.append(contentsOf: bytes)
        return try parse(atEOF: false)
    }

    /// The peer closed the connection: completes a read-until-close body or fails.
    public mutating func finish() throws(HTTPError) -> HTTPResponse {
        if buffer.isEmpty && head == nil { throw .closed }
        if let r = try parse(atEOF: true) { return r }
        if let h = head, case .length(let n) = h.framing {
            throw .truncated(expected: n, received: buffer.count - h.bodyStart)
        }
        throw .malformed("connection closed in the middle of a response")
    }

    private mutating func parse(atEOF: Bool) throws(HTTPError) -> HTTPResponse? {
        if head == nil {
            guard let end = HTTPResponseParser.find([13, 10, 13, 10], in: buffer) else {
                if buffer.count > HTTPResponseParser.maxHeaderBytes { throw .tooLarge(limit: HTTPResponseParser.maxHeaderBytes) }
                return nil
            }
            guard end <= HTTPResponseParser.maxHeaderBytes else { throw .tooLarge(limit: HTTPResponseParser.maxHeaderBytes) }
            head = try HTTPResponseParser.parseHead(buffer[0..<end], bodyStart: end + 4, bodyLimit: bodyLimit)
        }
        guard let h = head else { return nil }
        let available = buffer.count - h.bodyStart
        switch h.framing {
        case .length(let n):
            if available < n { return nil }
            if available > n { throw .malformed("\(available - n) bytes after the body") }
            return HTTPResponse(status: h.status, headers: h.headers, body: Array(buffer[h.bodyStart...]), closesConnection: h.closes)
        case .untilClose:
            if available > bodyLimit { throw .tooLarge(limit: bodyLimit) }
            guard atEOF else { return nil }
            return HTTPResponse(status: h.status, headers: h.headers, body: Array(buffer[h.bodyStart...]), closesConnection: true)
        case .chunked:
            guard let body = try decodeChunked(from: h.bodyStart) else { return nil }
            return HTTPResponse(status: h.status, headers: h.headers, body: body, closesConnection: h.closes)
        }
    }

    /// nil while incomplete.
    private func decodeChunked(from start: Int) throws(HTTPError) -> [UInt8]? {
        var body: [UInt8] = []
        var i = start
        while true {
            guard let lineEnd = HTTPResponseParser.find([13, 10], in: buffer, from: i) else {
                if buffer.count - i > 64 { throw .malformed("chunk size line too long") }
                return nil
            }
            // The same limits whether or not the line's end has arrived yet.
            if lineEnd - i > 64 { throw .malformed("chunk size line too long") }
            var sizeBytes = buffer[i..<lineEnd]
            if let semi = sizeBytes.firstIndex(of: UInt8(ascii: ";")) { sizeBytes = sizeBytes[..<semi] }
            guard !sizeBytes.isEmpty, sizeBytes.count <= 8 else { throw .malformed("bad chunk size") }
            var size = 0
            for c in sizeBytes {
                guard let d = HexDigit.value(c) else { throw .malformed("bad chunk size") }
                size = size << 4 | Int(d)
            }
            i = lineEnd + 2
            if size == 0 {
                // Trailers (ignored) end with an empty line.
                let trailerStart = i
                while true {
                    guard let e = HTTPResponseParser.find([13, 10], in: buffer, from: i) else {
                        if buffer.count - trailerStart > HTTPResponseParser.maxHeaderBytes { throw .tooLarge(limit: HTTPResponseParser.maxHeaderBytes) }
                        return nil
                    }
                    if e + 2 - trailerStart > HTTPResponseParser.maxHeaderBytes { throw .tooLarge(limit: HTTPResponseParser.maxHeaderBytes) }
                    if e == i {
                        if e + 2 != buffer.count { throw .malformed("bytes after the last chunk") }
                        return body
                    }
                    i = e + 2
                }
            }
            guard body.count + size <= bodyLimit else { throw .tooLarge(limit: bodyLimit) }
            guard buffer.count >= i + size + 2 else { return nil }
            body.append(contentsOf: buffer[i..<(i + size)])
            guard buffer[i + size] == 13, buffer[i + size + 1] == 10 else { throw .malformed("chunk not followed by CRLF") }
            i += size + 2
        }
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>, bodyStart: Int, bodyLimit: Int) throws(HTTPError) -> Head {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("header is not UTF-8") }
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines[0]
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0",
              parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let status = Int(parts[1]), status >= 100
        else { throw .malformed("bad status line \(Printable.quote(String(statusLine)))") }
        var headers: [HTTPHeader] = []
        var contentLength: Int? = nil
        var chunked = false
        var closes = parts[0] == "HTTP/1.0"
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw .malformed("bad header line \(Printable.quote(String(line)))")
            }
            let name = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            while value.first == " " || value.first == "\t" { value = value.dropFirst() }
            while value.last == " " || value.last == "\t" { value = value.dropLast() }
            headers.append(HTTPHeader(name: name, value: String(value)))
            switch name.lowercased() {
            case "content-length":
                guard !value.isEmpty, value.utf8.count <= 12, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      let n = Int(value) else { throw .malformed("bad Content-Length \(Printable.quote(String(value)))") }
                if let old = contentLength, old != n { throw .malformed("conflicting Content-Length headers") }
                guard n <= bodyLimit else { throw .tooLarge(limit: bodyLimit) }
                contentLength = n
            case "transfer-encoding":
                guard value.lowercased() == "chunked" else { throw .malformed("unsupported Transfer-Encoding \(Printable.quote(String(value)))") }
                chunked = true
            case "connection":
                let v = value.lowercased()
                if v == "close" { closes = true } else if v == "keep-alive" { closes = false }
            default:
                break
            }
        }
        if chunked && contentLength != nil { throw .malformed("both Content-Length and chunked") }
        let framing: Framing
        if status == 204 || status == 304 || (100..<200).contains(status) {
            framing = .length(0)
        } else if chunked {
            framing = .chunked
        } else if let n = contentLength {
            framing = .length(n)
        } else {
            framing = .untilClose
            closes = true
        }
        return Head(status: status, headers: headers, closes: closes, framing: framing, bodyStart: bodyStart)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, start <= hay.count - needle.count else { return nil }
        var i = start
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
