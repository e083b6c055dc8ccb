/// The core of ec2net: one ENI's validated metadata plus the configuration
/// in, the networkd file for it out. Pure, so golden files pin its output.
///
/// The effect matches amazon-ec2-net-utils 2.x for the same metadata:
/// DHCP and RA routes in the main table at metric 512+100*card+device; a
/// table 10000+100*card+device with the default and subnet routes; rules
/// `from <address> lookup <table>` for every address and delegated prefix,
/// except on the primary ENI (they would blackhole docker bridge replies,
/// upstream #97). Unlike upstream, one self-contained file per ENI rather
/// than a symlink plus drop-ins: a single rename makes the change atomic.
///
/// DHCPv4 is on for every ENI, IPv6-only ones included: in an IPv6-only
/// subnet EC2 still answers DHCPv4 with a link-local lease (169.254.0.x/16,
/// router 169.254.0.1), and that lease is the instance's IPv4 path to
/// 169.254.169.254 (the IPv6 endpoint is off unless the instance enables
/// it). Sources: shared/imds-reference.md, amazon-ec2-net-utils #40,
/// NixOS/amis #110. Such an ENI gets no IPv4 policy parts: no rule from the
/// 169.254 address and no IPv4 routes in its table, as upstream's
/// `subnet_supports_ipv4` decides.
public enum NetworkdRenderer {
    public static func render(_ m: InterfaceMetadata, interface: String, configuration c: Configuration) -> [GeneratedFile] {
        let routing = PolicyRouting(index: m.index)
        let table = String(routing.table)
        let metric = String(routing.metric)
        let useGatewayInMain = m.isPrimary || c.secondaryDefaultRoutesInMain ? "yes" : "no"
        var sections: [NetworkdSection] = []

        // Type=ether keeps VLANs and bridges that inherit the MAC out.
        sections.append(NetworkdSection(.match, [(.macAddress, m.mac.description), (.type, "ether")]))
        if let mtu = c.mtu {
            sections.append(NetworkdSection(.link, [(.mtuBytes, String(mtu))]))
        }
        sections.append(NetworkdSection(.network, [
            (.dhcp, "yes"),
            (.ipv6DuplicateAddressDetection, "0"),
            (.llmnr, "no"),
            (.dnsDefaultRoute, "yes"),
            // A reload that changes this file reconfigures the link; without
            // this networkd 252 stops the DHCPv4 client first and drops the
            // lease's address and routes (the table's default among them)
            // until a new lease arrives, so traffic from addresses the change
            // does not touch is lost or leaves by another ENI (measured:
            // Tests/e2e/test_vpc_enforcement.py). EC2's leases are fixed.
            (.keepConfiguration, "dhcp"),
        ]))
        var dhcp4 = NetworkdSection(.dhcpv4, [
            (.routeMetric, metric),
            (.useRoutes, "yes"),
            (.useGateway, useGatewayInMain),
            (.useHostname, "no"),
            (.useDNS, "yes"),
            (.useNTP, "yes"),
            (.useDomains, "yes"),
        ])
        dhcp4.add(.useMTU, c.mtu == nil ? "yes" : "no")
        sections.append(dhcp4)
        sections.append(NetworkdSection(.dhcpv6, [(.useHostname, "no"), (.useDNS, "yes"), (.useNTP, "yes"), (.withoutRA, "solicit")]))
        sections.append(NetworkdSection(.ipv6AcceptRA, [(.routeMetric, metric), (.useGateway, useGatewayInMain)]))

        for a in m.secondaryIPv4Addresses {
            sections.append(NetworkdSection(.address, [(.address, "\(a)/32"), (.addPrefixRoute, "no")]))
        }

        if m.hasIPv6 {
            sections.append(NetworkdSection(.route, [(.table, table), (.gateway, NetworkdGateway.ipv6ra.rawValue)]))
            for s in m.ipv6Subnets.sorted() {
                sections.append(NetworkdSection(.route, [(.table, table), (.destination, s.description)]))
            }
        }
        if m.hasIPv4 {
            sections.append(NetworkdSection(.route, [(.table, table), (.gateway, NetworkdGateway.dhcp4.rawValue)]))
            if let s = m.ipv4Subnet {
                sections.append(NetworkdSection(.route, [(.table, table), (.destination, s.description)]))
            }
            if c.localPrefixes {
                // Lets the host itself use addresses of a delegated prefix (upstream #109).
                for p in m.ipv4Prefixes.sorted() {
                    sections.append(NetworkdSection(.route, [(.type, "local"), (.table, "local"), (.destination, p.description)]))
                }
            }
        }

        if !m.isPrimary {
            var sources: [String] = []
            if m.hasIPv4 {
                sources += m.ipv4Addresses.sorted().map { $0.description } + m.ipv4Prefixes.sorted().map { $0.description }
            }
            sources += m.ipv6Addresses.sorted().map { $0.description } + m.ipv6Prefixes.sorted().map { $0.description }
            for source in sources {
                sections.append(NetworkdSection(.routingPolicyRule, [(.from, source), (.priority, table), (.table, table)]))
            }
        }

        var summary = m.isPrimary ? "primary ENI" : "secondary ENI"
        if let id = m.interfaceID { summary += " \(id)" }
        summary += ", \(m.index): table \(table), metric \(metric)"
        let file = NetworkdFile(comments: [Ownership.headerComment(mac: m.mac), summary], sections: sections)
        return [GeneratedFile(name: Ownership.fileName(interface: interface), contents: file.render())]
    }
}
