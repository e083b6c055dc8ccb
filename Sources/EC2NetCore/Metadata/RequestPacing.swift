/// At most `limit` requests start within any `window` seconds.
///
/// EC2 allows each ENI 1024 packets per second to its link-local services
/// (IMDS, the VPC resolver, NTP together) and drops beyond that (AWS ENA
/// docs: `linklocal_allowance_exceeded`). All of ec2net's IMDS requests leave
/// through one ENI, and a scan of 64 ENIs asks about 320 times in a third of a
/// second: about 3 packets each (request, reply, ACKs on one kept-alive
/// connection), close to the whole allowance, at the moment the instance's
/// own DNS and NTP need it. Paced, ec2net stays within half of it.
public struct RequestPacing: Sendable {
    public let limit: Int
    public let window: Double
    /// Start times of the last `limit` requests, a ring; `oldest` indexes
    /// the earliest once it is full.
    private var starts: [Double] = []
    private var oldest = 0

    public init(limit: Int, window: Double = 1.0) {
        precondition(limit > 0 && window > 0)
        self.limit = limit
        self.window = window
        starts.reserveCapacity(limit)
    }

    /// Seconds to wait before a request that would start at `now`; the
    /// request is counted as starting after that wait.
    public mutating func admit(at now: Double) -> Double {
        guard starts.count == limit else {
            starts.append(now)
            return 0
        }
        let wait = max(0, starts[oldest] + window - now)
        starts[oldest] = now + wait
        oldest = (oldest + 1) % limit
        return wait
    }
}
