import EC2NetCore

/// The one loop that waits for ENIs to appear in IMDS: a hot-plugged ENI's
/// device-number reads 0 (and its network-card is missing) until the
/// attachment propagates. Several ENIs are polled round-robin, so their
/// waits overlap instead of adding up; each is handed to `handle` as soon as
/// its outcome is known, so a ready ENI is configured while others still wait.
///
/// A poll loop over `look`, one look at one ENI without waiting; it knows
/// nothing of where the look comes from (MetadataReader builds it over its
/// own `attempt`, and waits with it), so the dependency runs one way.
public struct PropagationWait {
    public static let pollInterval = 0.05

    /// One look at an ENI, without waiting.
    public enum Attempt {
        case ready(InterfaceMetadata)
        /// Names what has not propagated yet.
        case pending(PendingMetadata)
    }

    public typealias Look = (MACAddress, [MetadataKey]) throws(MetadataReadError) -> Attempt

    public enum Result {
        case ready(InterfaceMetadata)
        /// The interface was there when the wait began and is gone now
        /// (detached again while its metadata propagated): nothing to write.
        case gone
        case failed(MetadataReadError)
        /// Still not propagated at the deadline; names what is missing.
        case notPropagated(what: String, waited: Double)
    }

    private let look: Look
    private let clock: MonotonicClock
    /// The run's deadline: the poll stops there whatever `timeout` says.
    private let deadline: RunDeadline?

    public init(clock: MonotonicClock, deadline: RunDeadline?, look: @escaping Look) {
        self.look = look
        self.clock = clock
        self.deadline = deadline
    }

    /// - Parameters:
    ///   - timeout: seconds to wait for propagation; 0 looks once.
    ///   - isPresent: whether the interface still exists; asked before a
    ///     ready snapshot is handed out, for interfaces present at the start.
    ///   - handle: gets each MAC's result once; returning false stops the
    ///     wait for all others (IMDS said 403: nothing will work).
    public func wait(for macs: [MACAddress], timeout: Double, keys: [MetadataKey] = MetadataKey.addressing,
                     isPresent: (MACAddress) -> Bool = { _ in true },
                     handle: (MACAddress, Result) -> Bool) {
        let start = clock.now()
        let presentAtStart = Set(macs.filter(isPresent))
        var waiting = macs
        while !waiting.isEmpty {
            var still: [(MACAddress, PendingMetadata)] = []
            for mac in waiting {
                let result: Result
                do {
                    switch try look(mac, keys) {
                    case .ready(let m):
                        result = presentAtStart.contains(mac) && !isPresent(mac) ? .gone : .ready(m)
                    case .pending(let what):
                        still.append((mac, what))
                        continue
                    }
                } catch {
                    result = .failed(error)
                }
                guard handle(mac, result) else { return }
            }
            if still.isEmpty { return }
            let now = clock.now()
            let waited = now - start
            let left = deadline?.bound(timeout - waited, at: now) ?? timeout - waited
            if left <= 0 {
                for (mac, what) in still {
                    guard handle(mac, .notPropagated(what: what.description, waited: waited)) else { return }
                }
                return
            }
            waiting = still.map { $0.0 }
            clock.sleep(min(PropagationWait.pollInterval, left))
        }
    }
}
