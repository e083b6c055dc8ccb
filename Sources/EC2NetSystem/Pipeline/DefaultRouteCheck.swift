import EC2NetCore

/// After the network is online, default traffic must leave through the
/// primary ENI (the MAC at meta-data/mac). If the lowest-metric default
/// route points elsewhere, say so naming both MACs; the caller then reloads
/// networkd so the primary's metric 512 applies. The naming map already
/// records the primary as device 0 for the next boot.
public struct DefaultRouteCheck {
    /// What the kernel says for one family.
    public struct Finding: Equatable {
        public let family: IPFamily
        public let route: PreferredDefaultRoute
        public let mac: MACAddress?
        public let primary: MACAddress
        public var viaPrimary: Bool { mac == primary }
    }

    private let metadata: MetadataReader
    private let routes: DefaultRouteSource
    private let sysfs: Sysfs
    private let log: Log

    public init(metadata: MetadataReader, routes: DefaultRouteSource, sysfs: Sysfs, log: Log) {
        self.metadata = metadata
        self.routes = routes
        self.sysfs = sysfs
        self.log = log
    }

    /// The preferred default route of each family that has one; nil when
    /// the check cannot be made (no primary MAC, rtnetlink failed), logged.
    public func findings() -> [Finding]? {
        guard let primary = try? metadata.primaryMAC() else {
            log.warning("default route check: IMDS did not say which MAC is primary; skipped")
            return nil
        }
        var out: [Finding] = []
        for family in IPFamily.allCases {
            do {
                guard let r = try routes.preferred(family) else { continue }
                out.append(Finding(family: family, route: r, mac: try? sysfs.mac(of: r.interface), primary: primary))
            } catch {
                log.warning("default route check: \(error)")
                return nil
            }
        }
        return out
    }

    /// Logs each finding; true when a default route leaves through another
    /// ENI, so a reload is due.
    public func report(_ findings: [Finding]) -> Bool {
        var repair = false
        for f in findings {
            if f.viaPrimary {
                log.info("default route check: \(f.family.label) default leaves through \(f.route.interface) (\(f.primary)), the primary ENI")
            } else {
                log.error("default route check: \(f.family.label) default (metric \(f.route.metric)) leaves through \(f.route.interface) (\(f.mac.map { $0.description } ?? "unknown MAC")), not the primary ENI \(f.primary); reloading networkd so the primary's metric 512 applies")
                repair = true
            }
        }
        return repair
    }

    /// Judges the state after a reload this run asked for: networkd applies
    /// it asynchronously, so a default through a secondary may only be the
    /// moment before the primary's route arrives. Polls until every default
    /// leaves through the primary or `settle` seconds pass, then reports.
    public func run(afterReload: Bool, clock: MonotonicClock, settle: Double = 10) -> Bool {
        guard var found = findings() else { return false }
        if afterReload {
            let deadline = clock.now() + settle
            while found.contains(where: { !$0.viaPrimary }) && clock.now() < deadline {
                clock.sleep(0.25)
                guard let again = findings() else { return false }
                found = again
            }
        }
        return report(found)
    }
}
