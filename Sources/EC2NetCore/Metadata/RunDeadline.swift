/// The one time budget of a run (issue 21): udev kills a RUN program at
/// 180 s and a hot-plug must not hold the event queue near that, so ec2-plug
/// and ec2-ifname (and ec2-unplug) end by `udevBudget` whatever IMDS does, ec2-ifscan by
/// `scanBudget`. Every bounded step (an IMDS request, a retry loop, the
/// propagation wait, a contended lock, the reload wait) takes
/// `bound(_:at:)` of its own bound, so the sum can never exceed it; only
/// the reload a run owes may run `reloadGrace` past it.
/// Value arithmetic on monotonic seconds; the clock is the caller's.
public struct RunDeadline: Sendable, Equatable {
    /// Seconds a udev-started run may take in total.
    public static let udevBudget = 60.0
    /// The longest `[IMDS] DeviceNumberTimeout=` accepted: the propagation
    /// wait plus the IMDS reads around it must fit in `udevBudget`.
    public static let maxDeviceNumberTimeout = 50.0
    /// Seconds ec2-ifscan may take in total: below its units'
    /// `TimeoutStartSec=120` by a margin for the reload (`reloadGrace`) and
    /// the exit, so a slow scan ends as "try later" (75, the timer retries
    /// in 60 s) rather than being killed by systemd mid-run.
    public static let scanBudget = 110.0
    /// The reload a run owes may take this long even when the run's
    /// deadline is nearer: a scan whose IMDS reads used the budget still
    /// gets networkd to read what it wrote. networkctl reload takes
    /// milliseconds; this only bounds a hung one. Within both margins:
    /// udev's 180 s kill, the units' TimeoutStartSec.
    public static let reloadGrace = 5.0

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

    /// The budget for a run: `limit` (`udevBudget`, or `scanBudget` for
    /// ec2-ifscan), or a test hook's smaller value (EC2NET_DEADLINE_SECONDS);
    /// never more than `limit`, so no environment can lengthen a run.
    public static func budget(override text: String?, limit: Double = udevBudget) -> Double {
        guard let text, let s = Double(text), s > 0 else { return limit }
        return min(s, limit)
    }
}
