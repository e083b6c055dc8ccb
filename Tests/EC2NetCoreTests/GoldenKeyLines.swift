import XCTest

/// What each golden case must say, written by hand from the case's input
/// (input.json in Golden/<case>/) and not from the renderer's output: the
/// lines that carry the routing decision (table, rule priority, route
/// metric, `From=`, the sections an IPv6-only ENI still gets). They are
/// checked against the rendered files before the expected files are
/// compared or rewritten, so `UPDATE_GOLDEN=1` cannot turn a renderer
/// change in them into a new expectation unnoticed.
///
/// A block is consecutive lines of one rendered file: a rule's `From=`,
/// `Priority=` and `Table=` together, not three lines found anywhere.
enum GoldenKeyLines {
    /// case -> file -> blocks it must contain. Table and priority are
    /// 10000 + 100 * network card + device number, the metric 512 + 100 *
    /// card + device (docs/routing.md); the primary ENI gets no rule.
    static let expected: [String: [String: [String]]] = [
        "cloud-init-default-2016-09-02": [
            "05-ec2net-ens5.network": ["[DHCPv4]\nRouteMetric=512", "[Route]\nTable=10000\nGateway=_dhcp4"],
            "05-ec2net-ens6.network": ["[DHCPv4]\nRouteMetric=513",
                                       "[RoutingPolicyRule]\nFrom=172.3.3.16\nPriority=10001\nTable=10001"],
        ],
        "cloud-init-secondary-ip-2018-09-24": [
            "05-ec2net-ens5.network": ["[Address]\nAddress=172.31.45.70/32\nAddPrefixRoute=no"],
            "05-ec2net-ens6.network": ["[RoutingPolicyRule]\nFrom=172.31.47.221\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=2600:1f16:292:100:c187:593c:4349:136\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=2600:1f16:292:100:f153:12a3:c37c:11f9\nPriority=10001\nTable=10001"],
        ],
        "cloud-init-v6-only": [
            "05-ec2net-ens5.network": ["[Route]\nTable=10000\nGateway=_ipv6ra"],
            "05-ec2net-ens6.network": ["[DHCPv4]\nRouteMetric=513", "[IPv6AcceptRA]\nRouteMetric=513",
                                       "[RoutingPolicyRule]\nFrom=2600:1f16:67f:f201:8d2e:4d1f:9e80:4ab9\nPriority=10001\nTable=10001"],
        ],
        "delegated-prefixes": [
            "05-ec2net-ens6.network": ["[RoutingPolicyRule]\nFrom=10.0.0.48/28\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.64/28\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=2600:1f18:0:1:a000::/80\nPriority=10001\nTable=10001"],
        ],
        "ipv6-addresses": [
            "05-ec2net-ens6.network": ["[Route]\nTable=10001\nDestination=2600:1f18:0:2::/64",
                                       "[RoutingPolicyRule]\nFrom=2600:1f18:0:1::21\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=2600:1f18:0:1::100\nPriority=10001\nTable=10001"],
        ],
        "ipv6-only": [
            // No IPv4 in IMDS, and still a [DHCPv4] section with its metric:
            // networkd ignores it until an address appears.
            "05-ec2net-ens6.network": ["[DHCPv4]\nRouteMetric=513", "[Route]\nTable=10001\nGateway=_ipv6ra",
                                       "[RoutingPolicyRule]\nFrom=2600:1f18:0:2::30\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=2600:1f18:0:2:b000::/80\nPriority=10001\nTable=10001"],
        ],
        "local-prefixes": [
            "05-ec2net-ens6.network": ["[Route]\nType=local\nTable=local\nDestination=10.0.0.48/28",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.48/28\nPriority=10001\nTable=10001"],
        ],
        "mtu-and-no-main-defaults": [
            "05-ec2net-ens5.network": ["[Link]\nMTUBytes=1500", "[DHCPv4]\nRouteMetric=512"],
            "05-ec2net-ens6.network": ["[Link]\nMTUBytes=1500",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.20\nPriority=10001\nTable=10001"],
        ],
        "multi-card": [
            "05-ec2net-ens32.network": ["[DHCPv4]\nRouteMetric=612",
                                        "[RoutingPolicyRule]\nFrom=10.0.1.10\nPriority=10100\nTable=10100"],
            "05-ec2net-ens33.network": ["[DHCPv4]\nRouteMetric=613", "[IPv6AcceptRA]\nRouteMetric=613",
                                        "[RoutingPolicyRule]\nFrom=10.0.1.11\nPriority=10101\nTable=10101"],
        ],
        "primary": [
            "05-ec2net-ens5.network": ["[Match]\nMACAddress=02:00:00:00:00:01", "[DHCPv4]\nRouteMetric=512",
                                       "[Route]\nTable=10000\nDestination=10.0.0.0/24"],
        ],
        "secondary-ipv4s": [
            "05-ec2net-eth1.network": ["[Address]\nAddress=10.0.0.9/32\nAddPrefixRoute=no",
                                       "[Address]\nAddress=10.0.0.100/32\nAddPrefixRoute=no",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.9\nPriority=10001\nTable=10001",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.20\nPriority=10001\nTable=10001"],
        ],
        "two-enis-same-subnet": [
            "05-ec2net-ens6.network": ["[DHCPv4]\nRouteMetric=513",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.20\nPriority=10001\nTable=10001"],
            "05-ec2net-ens7.network": ["[DHCPv4]\nRouteMetric=514",
                                       "[RoutingPolicyRule]\nFrom=10.0.0.30\nPriority=10002\nTable=10002"],
        ],
    ]

    /// Lines a case must not contain: the primary ENI (device 0) has no rule.
    static let absent: [String: [String: [String]]] = [
        "primary": ["05-ec2net-ens5.network": ["[RoutingPolicyRule]"]],
        "mtu-and-no-main-defaults": ["05-ec2net-ens5.network": ["[RoutingPolicyRule]"]],
    ]

    static func check(_ name: String, _ produced: [String: String], file: StaticString = #filePath, line: UInt = #line) {
        guard let files = expected[name] else {
            XCTFail("golden case \(name) has no hand-written key lines in GoldenKeyLines.swift", file: file, line: line)
            return
        }
        for (fileName, blocks) in files {
            guard let contents = produced[fileName] else {
                XCTFail("\(name): \(fileName) not rendered", file: file, line: line)
                continue
            }
            for block in blocks where !contents.contains(block + "\n") {
                XCTFail("\(name)/\(fileName) lacks the key lines:\n\(block)", file: file, line: line)
            }
        }
        for (fileName, lines) in absent[name] ?? [:] {
            for text in lines where produced[fileName]?.contains(text) ?? false {
                XCTFail("\(name)/\(fileName) has \(text), which it must not", file: file, line: line)
            }
        }
    }
}
