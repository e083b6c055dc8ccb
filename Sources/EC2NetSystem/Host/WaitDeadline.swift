import EC2NetCore

/// The run's deadline read on the run's clock: what a wait that the kernel
/// would otherwise let block for ever (a contended flock, `networkctl`'s
/// waitpid) polls against (issue 21). A class so that every lock of a run
/// shares one; the clock is injected so tests need not sleep.
public final class WaitDeadline {
    public let deadline: RunDeadline
    public let clock: MonotonicClock
    /// Between two non-blocking tries: short against a lone hot-plug's
    /// ~30 ms, long enough that a minute of waiting is a few thousand
    /// wake-ups.
    public static let pollInterval = 0.005

    public init(deadline: RunDeadline, clock: MonotonicClock) {
        self.deadline = deadline
        self.clock = clock
    }

    public var isExpired: Bool { deadline.isExpired(at: clock.now()) }

    /// Sleeps one poll interval, never past the deadline.
    public func pause() {
        clock.sleep(deadline.bound(WaitDeadline.pollInterval, at: clock.now()))
    }

    /// The same end, `grace` seconds later if the deadline is nearer:
    /// the reload a run owes is not killed the instant it starts because
    /// IMDS took the run's budget (RunDeadline.reloadGrace).
    public func atLeast(_ grace: Double) -> WaitDeadline {
        let now = clock.now()
        guard deadline.remaining(at: now) < grace else { return self }
        return WaitDeadline(deadline: RunDeadline(start: now, budget: grace), clock: clock)
    }
}
