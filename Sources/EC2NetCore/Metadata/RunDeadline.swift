/// The one time budget of a run (issue 21): udev kills a RUN program at
/// 180 s and a hot-plug must not hold the event queue near that, so ec2-plug
/// and ec2-ifname end by `udevBudget` whatever IMDS does. Every bounded step
/// (an IMDS request, a retry loop, the propagation wait, the reload wait)
/// takes `bound(_:at:)` of its own bound, so the sum can never exceed it.
/// Value arithmetic on monotonic seconds; the clock is the caller's.
public struct RunDeadline: Sendable, Equatable {
    /// Seconds a udev-started run may take in total.
    public static let udevBudget = 60.0
    /// The longest `[IMDS] DeviceNumberTimeout=` accepted: the propagation
    /// wait plus the IMDS reads around it must fit in `udevBudget`.
    public static let maxDeviceNumberTimeout = 50.0

    /// Monotonic time at which the run must end.
    public let end: Double

    public init(start: Double, budget: Double) {
        end = start + max(0, budget)
    }

    /// Seconds left at `now`, never negative.
    public func remaining(at now: Double) -> Double {
        max(0, end - now)
    }

    public func isExpired(at now: Double) -> Bool {
        now >= end
    }

    /// A step's own bound cut to the time left.
    public func bound(_ own: Double, at now: Double) -> Double {
        min(own, remaining(at: now))
    }

    /// The budget for a run: `udevBudget`, or a test hook's smaller value
    /// (EC2NET_DEADLINE_SECONDS); never more than `udevBudget`, so no
    /// environment can lengthen a udev run.
    public static func budget(override text: String?) -> Double {
        guard let text, let s = Double(text), s > 0 else { return udevBudget }
        return min(s, udevBudget)
    }
}
