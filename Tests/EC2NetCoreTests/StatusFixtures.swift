@testable import EC2NetCore

/// Fixed inputs for the status tests: an instance with a primary ENI
/// (eth0), a secondary with three IPv4 addresses and a delegated prefix
/// (eth1), an excluded ENI (eth2) and an EFA-only ENI (eth3), and a kernel
/// holding exactly what their generated files ask for.
enum StatusFixtures {
    static func mac(_ n: Int) -> MACAddress { try! MACAddress(parsing: "02:00:00:00:00:\(n)0") }
    static func eni(_ n: Int) -> InterfaceID { try! InterfaceID(parsing: "eni-0000000000000a0\(n)0") }
    static let subnet = try! IPv4CIDR(parsing: "10.0.0.0/24")

    static func metadata(_ n: Int, device: Int, ipv4: [String], prefixes: [String] = []) -> InterfaceMetadata {
        InterfaceMetadata(mac: mac(n), isPrimary: device == 0, index: try! DeviceIndex(card: 0, device: device),
                          interfaceID: eni(n), ipv4Addresses: ipv4.map { try! IPv4Address(parsing: $0) },
                          ipv4Prefixes: prefixes.map { try! IPv4CIDR(parsing: $0) }, ipv4Subnet: ipv4.isEmpty ? nil : subnet)
    }

    static let primary = metadata(1, device: 0, ipv4: ["10.0.0.10"])
    static let secondary = metadata(2, device: 1, ipv4: ["10.0.0.20", "10.0.0.21", "10.0.0.22"], prefixes: ["10.0.1.16/28"])
    static let excluded = metadata(3, device: 2, ipv4: ["10.0.0.30"])
    static let efaOnly = metadata(4, device: 3, ipv4: [])

    static var configuration: Configuration {
        var c = Configuration()
        c.exclude = [.mac(mac(3))]
        return c
    }

    static func rendered(_ m: InterfaceMetadata, _ name: String) -> GeneratedFile {
        NetworkdRenderer.render(m, interface: name, configuration: configuration)[0]
    }

    static let links = [
        KernelSnapshot.Link(index: 1, name: "lo", mac: nil),
        KernelSnapshot.Link(index: 2, name: "eth0", mac: mac(1), altNames: ["eni-0000000000000a010", "device-number-0.0"]),
        KernelSnapshot.Link(index: 3, name: "eth1", mac: mac(2), altNames: ["eni-0000000000000a020", "device-number-1.0"]),
        KernelSnapshot.Link(index: 4, name: "eth2", mac: mac(3)),
        KernelSnapshot.Link(index: 5, name: "eth3", mac: mac(4)),
    ]

    /// What networkd makes of `file` on link `index`: every expected item, as the kernel reports it.
    static func kernelState(for file: GeneratedFile, index: Int) -> KernelSnapshot {
        var k = KernelSnapshot()
        for item in ExpectedKernelState(file: NetworkdFile(parsing: file.contents)).items {
            switch item {
            case .rule(let r):
                k.rules.append(r)
            case .tableRoute(let f, let d, let t):
                // As networkd adds them: the subnet route on the link, the default via the subnet's router (DHCP).
                k.routes.append(KernelSnapshot.Route(family: f, table: t, destination: d, interfaceIndex: index, metric: 0,
                                                     type: t == 255 ? KernelSnapshot.Route.local : KernelSnapshot.Route.unicast,
                                                     gateway: d.prefixLength == 0 ? prefix(f == .ipv4 ? "10.0.0.1" : "fe80::1") : nil))
            case .address(let a):
                k.addresses.append(KernelSnapshot.Address(interfaceIndex: index, address: a))
            case .mainDefault(let f, let m):
                k.routes.append(KernelSnapshot.Route(family: f, table: 254, destination: KernelSnapshot.Route.defaultDestination(f), interfaceIndex: index, metric: m))
            }
        }
        return k
    }

    /// The healthy instance: files up to date, the kernel holds everything,
    /// plus what any host has (main-table rules, the subnet route, DHCP addresses).
    static func healthy() -> StatusEvidence {
        let files = [rendered(primary, "eth0"), rendered(secondary, "eth1")]
        var kernel = KernelSnapshot(links: links)
        for (file, index) in zip(files, [2, 3]) {
            let k = kernelState(for: file, index: index)
            kernel.rules += k.rules
            kernel.routes += k.routes
            kernel.addresses += k.addresses
        }
        kernel.rules += [PolicyRule(family: .ipv4, table: 255, priority: 0), PolicyRule(family: .ipv4, table: 254, priority: 32766)]
        kernel.routes.append(KernelSnapshot.Route(family: .ipv4, table: 254, destination: prefix("10.0.0.0/24"), interfaceIndex: 2, metric: 512))
        kernel.addresses += [KernelSnapshot.Address(interfaceIndex: 2, address: prefix("10.0.0.10/24")),
                             KernelSnapshot.Address(interfaceIndex: 3, address: prefix("10.0.0.20/24"))]
        return StatusEvidence(configuration: configuration, imds: .read(primaryMAC: mac(1)), interfaces: [
            StatusEvidence.Interface(mac: mac(1), name: "eth0", metadata: .ready(primary), generatedFiles: [files[0]]),
            StatusEvidence.Interface(mac: mac(2), name: "eth1", metadata: .ready(secondary), generatedFiles: [files[1]]),
            StatusEvidence.Interface(mac: mac(3), name: "eth2", metadata: .ready(excluded)),
            StatusEvidence.Interface(mac: mac(4), name: "eth3", metadata: .ready(efaOnly)),
        ], kernel: kernel)
    }

    /// One rule deleted, a secondary address gone, a stale ec2net rule, a
    /// foreign rule in ec2net's range, one shadowing ec2net's rule, and
    /// default traffic leaving by eth1.
    static func drift() -> StatusEvidence {
        var e = healthy()
        e.kernel.rules.removeAll { $0.source == RuleSource(parsing: "10.0.0.21/32") }
        e.kernel.addresses.removeAll { $0.address == prefix("10.0.0.22/32") }
        e.kernel.rules.append(PolicyRule(source: "10.0.0.50/32", table: 10005)!)
        var foreign = PolicyRule(source: "10.9.9.9/32", table: 77)!
        foreign.priority = 10500
        e.kernel.rules.append(foreign)
        // Issue 20: a rule ahead of ec2net's that sends one of eth1's sources to another table.
        var shadow = PolicyRule(source: "10.0.0.20", table: 10002)!
        shadow.priority = 10000
        e.kernel.rules.append(shadow)
        e.kernel.routes.append(KernelSnapshot.Route(family: .ipv4, table: 254, destination: ipv4Default, interfaceIndex: 3, metric: 100))
        return e
    }

    /// `--no-imds`: the naming map and the files on disk only; eth1's file
    /// on disk is an older one (one address fewer), which is not noticed.
    static func withoutIMDS() -> StatusEvidence {
        var e = healthy()
        e.imds = .skipped
        let entries: [MACAddress: DeviceMap.Entry] = [
            mac(1): .init(index: primary.index, interfaceID: eni(1)), mac(2): .init(index: secondary.index, interfaceID: eni(2)),
            mac(3): .init(index: excluded.index, interfaceID: eni(3)), mac(4): .init(index: efaOnly.index, interfaceID: eni(4)),
        ]
        for k in e.interfaces.indices {
            e.interfaces[k].metadata = .notRead
            e.interfaces[k].mapEntry = entries[e.interfaces[k].mac]
        }
        return e
    }

    /// IMDS unreachable: the same, with the verdict unknown.
    static func imdsUnreachable() -> StatusEvidence {
        var e = withoutIMDS()
        e.imds = .failed("IMDS unreachable: cannot connect to 169.254.169.254: Connection refused")
        return e
    }
}

/// Test models write prefixes as `ip route` prints them; parsed here, once.
func prefix(_ text: String) -> RuleSource { RuleSource(parsing: Substring(text))! }
let ipv4Default = KernelSnapshot.Route.defaultDestination(.ipv4)
