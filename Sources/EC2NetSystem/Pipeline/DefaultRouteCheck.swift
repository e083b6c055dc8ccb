import EC2NetCore

/// After the network is online, default traffic must leave through the
/// primary ENI (the MAC at meta-data/mac). If the lowest-metric default
/// route points elsewhere, say so naming both MACs; the caller then reloads
/// networkd so the primary's metric 512 applies. The naming map already
/// records the primary as device 0 for the next boot.
public struct DefaultRouteCheck {
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

    /// true when a default route leaves through another ENI: a reload is due.
    public func run() -> Bool {
        guard let primary = try? metadata.primaryMAC() else {
            log.warning("default route check: IMDS did not say which MAC is primary; skipped")
            return false
        }
        var repair = false
        for family in [AddressFamily.ipv4, .ipv6] {
            let route: PreferredDefaultRoute
            do {
                guard let r = try routes.preferred(family) else { continue }
                route = r
            } catch {
                log.warning("default route check: \(error)")
                return false
            }
            let mac = try? sysfs.mac(of: route.interface)
            if mac == primary {
                log.info("default route check: \(family) default leaves through \(route.interface) (\(primary)), the primary ENI")
            } else {
                log.error("default route check: \(family) default (metric \(route.metric)) leaves through \(route.interface) (\(mac.map { $0.description } ?? "unknown MAC")), not the primary ENI \(primary); reloading networkd so the primary's metric 512 applies")
                repair = true
            }
        }
        return repair
    }
}
