import EC2NetCore

/// `http://HOST[:PORT][/PATH]` with HOST a name, an IPv4 address or a
/// bracketed IPv6 address. Plain HTTP only: IMDS does not speak TLS.
public struct HTTPURL: Equatable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: UInt16
    public let basePath: String

    public init(parsing text: String) throws(HTTPError) {
        guard text.hasPrefix("http://"), NetworkdFileSafety.isPrintable(text) else { throw .invalidURL(text) }
        var rest = text.dropFirst("http://".count)
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        var portText: Substring? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(text) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(text) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        // A bracketed host is an IPv6 literal; any other is a name or IPv4
        // address: letters, digits, '.', '-'.
        if rest.hasPrefix("[") {
            guard (try? IPv6Address(parsing: host)) != nil else { throw .invalidURL(text) }
        } else {
            guard !host.isEmpty, host.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 })
            else { throw .invalidURL(text) }
        }
        if let portText {
            guard let p = UInt16(portText), p > 0 else { throw .invalidURL(text) }
            port = p
        } else {
            port = 80
        }
        basePath = path
    }

    /// The Host header value.
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }

    public var description: String { "http://\(authority)\(basePath)" }
}

/// Shared check that a string has no control characters.
enum NetworkdFileSafety {
    static func isPrintable(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }
    }
}
