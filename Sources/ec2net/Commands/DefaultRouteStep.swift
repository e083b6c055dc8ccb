import Glibc
import EC2NetCore
import EC2NetSystem

/// After the network is online, default traffic must leave through the
/// primary ENI (the MAC at meta-data/mac). If the lowest-metric default
/// route points elsewhere, say so naming both MACs, and repair what ec2net
/// controls: the primary's config (metric 512) is rewritten if needed and a
/// reload requested; the naming map already records the primary as device 0
/// for the next boot.
enum DefaultRouteStep {
    /// Returns true when a reload should be requested.
    static func run(_ rt: Runtime) -> Bool {
        guard let primary = try? rt.reader.primaryMAC() else {
            rt.log.warning("default route check: IMDS did not say which MAC is primary; skipped")
            return false
        }
        let routes: DefaultRoutes
        do { routes = DefaultRoutes(channel: NetlinkChannel(transport: try NetlinkSocket())) } catch {
            rt.log.warning("default route check: \(error)")
            return false
        }
        var repair = false
        for (family, label) in [(AF_INET, "IPv4"), (AF_INET6, "IPv6")] {
            guard let route = try? routes.preferred(family: family) else { continue }
            var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
            guard let namePtr = if_indextoname(route.interfaceIndex, &buf) else { continue }
            let name = String(cString: namePtr)
            let mac = try? rt.sysfs.mac(of: name)
            if mac == primary {
                rt.log.info("default route check: \(label) default leaves through \(name) (\(primary)), the primary ENI")
            } else {
                rt.log.error("default route check: \(label) default (metric \(route.metric)) leaves through \(name) (\(mac.map(\.description) ?? "unknown MAC")), not the primary ENI \(primary); reloading networkd so the primary's metric 512 applies")
                repair = true
            }
        }
        return repair
    }
}
