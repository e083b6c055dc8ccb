import CLinux

/// Time for deadlines and waits, behind a protocol so tests of propagation
/// waits need not sleep.
public protocol MonotonicClock: AnyObject {
    /// Seconds since an arbitrary origin.
    func now() -> Double
    func sleep(_ seconds: Double)
}

public final class SystemClock: MonotonicClock {
    public init() {}

    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&ts, &remaining) == -1 && errno == EINTR { ts = remaining }
    }
}
