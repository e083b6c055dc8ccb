import EC2NetCore

/// IMDSv2 over one kept-alive TCP connection: a session token fetched once
/// and renewed once on 401; bounded retries with backoff on 5xx, resets and
/// timeouts; the IPv6 endpoint tried when the IPv4 one does not connect.
public final class IMDSClient: MetadataSource {
    public static let defaultEndpoints = ["http://169.254.169.254", "http://[fd00:ec2::254]"]
    public static let tokenTTL = 60
    public static let bodyLimit = 64 * 1024
    /// Half of EC2's link-local allowance of 1024 packets/s per ENI, at about
    /// 3 packets per request (issue 21's capture: 679 packets for 224
    /// requests): 150 requests make about 455 packets.
    public static let requestsPerSecond = 150

    /// An endpoint the kernel reports unreachable gets one quick retry only
    /// (boot, before any link is up); a connect timeout, like a 5xx, gets
    /// the whole backoff (a link being reconfigured by networkd).
    public struct Timing: Sendable {
        public var connectTimeout = 0.5
        public var requestTimeout = 2.0
        /// Pauses between attempts of one request.
        public var backoff: [Double] = [0.05, 0.2, 0.5]
        public init() {}

        /// For ec2-ifname: udev waits for it on every add event, so about
        /// 2 s at worst (0.5 s per request, one quick retry).
        public static func naming(requestTimeout: Double) -> Timing {
            var t = Timing()
            t.requestTimeout = min(requestTimeout, 0.5)
            t.backoff = [0.05]
            return t
        }
    }

    private let endpoints: [HTTPURL]
    private let timing: Timing
    private let clock: MonotonicClock
    private let userAgent: String
    /// The run's one deadline (issue 21): every timeout is cut to it and no
    /// attempt or pause starts after it; nil bounds only by `timing`.
    private let deadline: RunDeadline?
    private var connection: HTTPConnection? = nil
    private var token: String? = nil
    private var pacing = RequestPacing(limit: IMDSClient.requestsPerSecond)
    public private(set) var requests = 0

    public init(endpoints: [HTTPURL], timing: Timing = Timing(), clock: MonotonicClock, userAgent: String,
                deadline: RunDeadline? = nil) {
        precondition(!endpoints.isEmpty)
        self.deadline = deadline
        self.endpoints = endpoints
        self.timing = timing
        self.clock = clock
        self.userAgent = userAgent
    }

    /// TCP connections opened so far, across endpoints.
    public var connections: Int { openedBefore + (connection?.connectionsOpened ?? 0) }
    private var openedBefore = 0

    public func close() { connection?.close() }

    public func get(_ path: String) throws(IMDSError) -> String? {
        let full = "/latest/meta-data/" + path
        var renewed = false
        var attempt = 0
        while true {
            try checkDeadline(full)
            let tok = try sessionToken()
            let result: HTTPResponse
            do {
                result = try request("GET", full, headers: [HTTPHeader(name: "X-aws-ec2-metadata-token", value: tok)])
            } catch {
                try backOff(after: error, path: full, attempt: &attempt)
                continue
            }
            switch result.status {
            case 200:
                guard let text = result.text else { throw .notText(path: full) }
                return text
            case 404:
                return nil
            case 401 where !renewed:
                // The token expired or the service restarted: one new token, one retry.
                token = nil
                renewed = true
            case 403:
                throw .forbidden(path: full)
            case 500...599 where attempt < timing.backoff.count:
                try pause(timing.backoff[attempt], path: full, after: "status \(result.status)"); attempt += 1
            default:
                throw .status(result.status, path: full)
            }
        }
    }

    private func sessionToken() throws(IMDSError) -> String {
        if let token { return token }
        var attempt = 0
        while true {
            try checkDeadline("/latest/api/token")
            let r: HTTPResponse
            do {
                r = try request("PUT", "/latest/api/token",
                                headers: [HTTPHeader(name: "X-aws-ec2-metadata-token-ttl-seconds", value: String(IMDSClient.tokenTTL))])
            } catch {
                try backOff(after: error, path: "/latest/api/token", attempt: &attempt)
                continue
            }
            switch r.status {
            case 200:
                guard let t = r.text, !t.isEmpty, t.utf8.count <= 512, NetworkdFileSafety.isPrintable(t) else {
                    throw .protocolError(path: "/latest/api/token", .malformed("the token is not printable text"))
                }
                token = t
                return t
            case 403:
                throw .forbidden(path: "/latest/api/token")
            case 500...599 where attempt < timing.backoff.count:
                try pause(timing.backoff[attempt], path: "/latest/api/token", after: "status \(r.status)"); attempt += 1
            case 500...599:
                throw .status(r.status, path: "/latest/api/token")
            default:
                throw .tokenRefused(status: r.status)
            }
        }
    }

    /// After a failed exchange: sleeps when another attempt is worth it,
    /// else throws the error IMDS callers see.
    private func backOff(after e: HTTPError, path: String, attempt: inout Int) throws(IMDSError) {
        // A timeout cut short by the deadline is the deadline's doing, not IMDS's.
        try checkDeadline(path, after: e.description)
        if e.isTransient && attempt < (e.failsFast ? 1 : timing.backoff.count) {
            try pause(timing.backoff[attempt], path: path, after: e.description)
            attempt += 1
            return
        }
        throw e.isUnreachable || e.isTransient ? .unreachable(e.description) : .protocolError(path: path, e)
    }

    /// Past the run's deadline, a request fails as unreachable ("try later",
    /// existing config kept) and says the deadline ended it.
    private func checkDeadline(_ path: String, after last: String? = nil) throws(IMDSError) {
        guard let deadline, deadline.isExpired(at: clock.now()) else { return }
        throw .unreachable("the run's deadline ended it before \(path) was read" + (last.map { " (last: \($0))" } ?? ""))
    }

    /// A pause between attempts, cut to the deadline; none starts after it.
    private func pause(_ seconds: Double, path: String, after last: String) throws(IMDSError) {
        try checkDeadline(path, after: last)
        clock.sleep(bounded(seconds))
    }

    /// `seconds` cut to what is left of the run's deadline.
    private func bounded(_ seconds: Double) -> Double {
        deadline?.bound(seconds, at: clock.now()) ?? seconds
    }

    /// One HTTP exchange; picks the first endpoint that connects and keeps it.
    private func request(_ method: String, _ path: String, headers: [HTTPHeader]) throws(HTTPError) -> HTTPResponse {
        // Before the exchange: each attempt's own timeouts start after it.
        let wait = pacing.admit(at: clock.now())
        if wait > 0 { clock.sleep(bounded(wait)) }
        requests += 1
        let all = headers + [HTTPHeader(name: "User-Agent", value: userAgent)]
        if let c = connection {
            return try c.send(method: method, path: path, headers: all, connectTimeout: bounded(timing.connectTimeout),
                              timeout: bounded(timing.requestTimeout), bodyLimit: IMDSClient.bodyLimit, clock: clock)
        }
        var failures: [HTTPError] = []
        for url in endpoints {
            let c = HTTPConnection(url: url)
            do {
                let r = try c.send(method: method, path: path, headers: all, connectTimeout: bounded(timing.connectTimeout),
                                   timeout: bounded(timing.requestTimeout), bodyLimit: IMDSClient.bodyLimit, clock: clock)
                connection = c
                return r
            } catch {
                openedBefore += c.connectionsOpened
                guard error.isUnreachable else { throw error }
                failures.append(error)
            }
        }
        throw .noEndpoint(failures)
    }
}
