import EC2NetCore
import FuzzSupport

// IMDS bodies -> InterfaceMetadata(bodies:) -> NetworkdRenderer.render.
// Input: [flags][absent-key mask][card][device][6 MAC bytes] then the bodies
// of MetadataKey.addressing, in order, separated by NUL bytes.
// Properties: no trap; the rendered file is ASCII and every line is
// `[Section]`, `Key=value`, `# comment` or empty (no value from IMDS can
// open a line or a section); every parsed value prints back to text that
// parses to the same value; one policy rule per source on a secondary ENI.

let keys = MetadataKey.addressing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.byte()
    let absent = input.byte()
    let card = Int(input.byte()) % 32
    let device = Int(input.byte()) % 100
    let mac = MACAddress(bytes: (0..<6).map { _ in input.byte() })
    let pieces = input.rest().split(separator: 0, omittingEmptySubsequences: false)
    var bodies: [MetadataKey: String] = [:]
    for (k, key) in keys.enumerated() where absent & (1 << k) == 0 {
        bodies[key] = k < pieces.count ? String(decoding: pieces[k], as: UTF8.self) : ""
    }
    // The integer and listing parsers read the same kind of bodies.
    if let first = bodies[.interfaceID] {
        if let n = try? MetadataValues.integer(first, key: .deviceNumber, in: DeviceIndex.deviceRange) {
            Fuzz.check(DeviceIndex.deviceRange.contains(n), "metadata-integer", "\(n) from \(Fuzz.show(first))")
        }
        for entry in MetadataValues.listing(first) {
            Fuzz.check(!entry.contains("\n"), "metadata-listing", Fuzz.show(entry))
        }
    }

    let index = try! DeviceIndex(card: card, device: device)
    guard let m = try? InterfaceMetadata(mac: mac, isPrimary: flags & 1 != 0, index: index, bodies: bodies) else { return 0 }

    for a in m.ipv4Addresses {
        Fuzz.check((try? IPv4Address(parsing: a.description)) == a, "ipv4-roundtrip", a.description)
    }
    for a in m.ipv6Addresses {
        Fuzz.check((try? IPv6Address(parsing: a.description)) == a, "ipv6-roundtrip", "\(a) bytes \(a.bytes)")
    }
    for c in m.ipv4Prefixes + (m.ipv4Subnet.map { [$0] } ?? []) {
        Fuzz.check((try? IPv4CIDR(parsing: c.description)) == c, "ipv4cidr-roundtrip", c.description)
    }
    for c in m.ipv6Prefixes + m.ipv6Subnets {
        Fuzz.check((try? IPv6CIDR(parsing: c.description)) == c, "ipv6cidr-roundtrip", c.description)
    }
    if let id = m.interfaceID {
        Fuzz.check((try? InterfaceID(parsing: id.description)) == id, "eni-roundtrip", id.description)
    }

    var c = Configuration()
    if flags & 2 != 0 { c.mtu = 9001 }
    c.localPrefixes = flags & 4 != 0
    c.secondaryDefaultRoutesInMain = flags & 8 == 0
    let files = NetworkdRenderer.render(m, interface: "eth1", configuration: c)
    Fuzz.check(files == NetworkdRenderer.render(m, interface: "eth1", configuration: c), "render-deterministic", "two renders differ")
    for f in files {
        if let bad = INIShape.badLine(f.contents) {
            Fuzz.check(false, "render-ini-shape", "line \(Fuzz.show(bad)) in \(Fuzz.show(f.contents))")
        }
        Fuzz.check(Ownership.owner(ofContents: Substring(f.contents)) == mac, "render-owner", "header does not name \(mac)")
        let rules = PolicyRule.rules(inGeneratedFile: f.contents)
        var expected = 0
        if !m.isPrimary {
            if m.hasIPv4 { expected += m.ipv4Addresses.count + m.ipv4Prefixes.count }
            expected += m.ipv6Addresses.count + m.ipv6Prefixes.count
        }
        Fuzz.check(rules.count == expected, "render-rules", "\(rules.count) rules read back, \(expected) expected")
        let table = PolicyRouting(index: index).table
        Fuzz.check(rules.allSatisfy { $0.table == table }, "render-rule-table", "\(rules)")
    }
    return 0
}
