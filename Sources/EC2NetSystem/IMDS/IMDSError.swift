import EC2NetCore

/// Why IMDS could not be read. Every case leaves existing config alone.
public enum IMDSError: Error, Equatable, CustomStringConvertible {
    /// Nothing answered (boot before the network is up, wrong endpoint): try later.
    case unreachable(String)
    /// 403: IMDS is disabled for this instance or refuses us; retrying will not help.
    case forbidden(path: String)
    /// The token endpoint answered something other than a token.
    case tokenRefused(status: Int)
    /// An unexpected status after retries.
    case status(Int, path: String)
    /// The server talked, but not valid HTTP or not text.
    case protocolError(path: String, HTTPError)
    case notText(path: String)

    public var description: String {
        switch self {
        case .unreachable(let why): return "IMDS unreachable: \(why)"
        case .forbidden(let p): return "IMDS answered 403 Forbidden for \(p): the metadata service is disabled or refuses this host"
        case .tokenRefused(let s): return "IMDS token request answered \(s)\(s == 404 ? " (no IMDSv2 token endpoint)" : "")"
        case .status(let s, let p): return "IMDS answered \(s) for \(p)"
        case .protocolError(let p, let e): return "IMDS response for \(p): \(e)"
        case .notText(let p): return "IMDS response for \(p) is not UTF-8 text"
        }
    }
}
