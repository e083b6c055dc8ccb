import EC2NetCore

/// What can go wrong talking HTTP to IMDS. `isTransient` separates the
/// failures worth a retry (the server may answer next time) from the ones
/// that will not change.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case resolve(String)
    case connect(String, errno: Int32)
    case connectTimeout(String)
    case timeout
    case closed
    case reset
    case truncated(expected: Int, received: Int)
    case malformed(String)
    case tooLarge(limit: Int)
    case io(errno: Int32)
    /// Every endpoint failed to connect; each one's failure, in order.
    case noEndpoint([HTTPError])

    public var isTransient: Bool {
        switch self {
        case .connect, .connectTimeout, .timeout, .closed, .reset, .truncated, .io: return true
        case .noEndpoint: return true
        case .invalidURL, .resolve, .malformed, .tooLarge: return false
        }
    }

    /// The kernel said at once that nothing is there (no route, refused):
    /// at boot, before any link is up, waiting longer would only hold up udev.
    /// A connect timeout is different: a route exists and a neighbour or
    /// the service may answer a moment later.
    public var failsFast: Bool {
        switch self {
        case .connect, .resolve: return true
        case .noEndpoint(let failures): return failures.allSatisfy { $0.failsFast }
        default: return false
        }
    }

    /// Failures that mean nothing answered at this address at all.
    public var isUnreachable: Bool {
        switch self {
        case .connect, .connectTimeout, .resolve, .noEndpoint: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid URL \(Printable.quote(u)) (expected http://HOST[:PORT])"
        case .resolve(let h): return "cannot resolve \(Printable.quote(h))"
        case .connect(let a, let e): return "cannot connect to \(a): \(SystemError.message(e))"
        case .connectTimeout(let a): return "no answer from \(a) within the connect timeout"
        case .timeout: return "no complete response within the request timeout"
        case .closed: return "the server closed the connection before answering"
        case .reset: return "the connection was reset"
        case .truncated(let e, let r): return "response body truncated: Content-Length \(e), received \(r)"
        case .malformed(let what): return "malformed HTTP response: \(what)"
        case .tooLarge(let limit): return "response larger than \(limit) bytes"
        case .io(let e): return "socket error: \(SystemError.message(e))"
        case .noEndpoint(let failures): return failures.map { $0.description }.joined(separator: "; ")
        }
    }
}
