import Foundation
import XCTest
@testable import EC2NetCore

/// Golden files for NetworkdRenderer: `Golden/<case>/input.json` holds raw
/// IMDS bodies (one ENI, or an array of ENIs), `Golden/<case>/expected/`
/// the files the renderer must produce, byte for byte.
///
/// `UPDATE_GOLDEN=1 swift test --filter GoldenTests` rewrites the expected
/// files; review the diff by eye before committing it.
final class GoldenTests: XCTestCase {
    /// Every case must exist, so that a deleted folder is noticed.
    static let requiredCases = [
        "delegated-prefixes", "ipv6-addresses", "ipv6-only", "local-prefixes", "mtu-and-no-main-defaults",
        "multi-card", "primary", "secondary-ipv4s", "two-enis-same-subnet",
        "cloud-init-v6-only", "cloud-init-secondary-ip-2018-09-24", "cloud-init-default-2016-09-02",
    ]

    struct Input: Decodable {
        struct Config: Decodable {
            var mtu: Int?
            var secondaryDefaultRoutesInMain: Bool?
            var localPrefixes: Bool?
        }

        var interface: String
        var mac: String
        var primary: Bool
        var card: Int
        var device: Int
        var bodies: [String: String]
        var config: Config?
    }

    static var goldenDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden", isDirectory: true)
    }

    static func caseNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
    }

    /// A case may name a captured IMDS tree instead of listing bodies:
    /// `{"tree": "FILE"}` reads `Tests/fixtures/imds/FILE` (the mock IMDS's
    /// scenario format; its `_source` says where it was captured).
    struct TreeReference: Decodable { var tree: String }

    static var capturedTreesDirectory: URL {
        goldenDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/imds", isDirectory: true)
    }

    /// Each ENI of a captured tree as IMDS would serve it: lists joined by
    /// newlines, empty values absent (404). The primary is the top-level
    /// `mac`; the interface is named as udev's predictable scheme would on a
    /// Nitro type (`ens5` for device 0).
    static func inputs(fromTree name: String) throws -> [Input] {
        let data = try Data(contentsOf: capturedTreesDirectory.appendingPathComponent(name))
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let primary = top["mac"] as? String, let enis = top["interfaces"] as? [[String: Any]] else {
            throw NSError(domain: "golden", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(name): not a scenario"])
        }
        func text(_ value: Any?) -> String? {
            let s: String
            switch value {
            case let list as [Any]: s = list.map { "\($0)" }.joined(separator: "\n")
            case let v?: s = "\(v)"
            case nil: return nil
            }
            return s.isEmpty ? nil : s
        }
        return try enis.map { eni in
            guard let mac = eni["mac"] as? String, let device = text(eni["device-number"]).flatMap({ Int($0) }) else {
                throw NSError(domain: "golden", code: 3, userInfo: [NSLocalizedDescriptionKey: "\(name): ENI without mac or device-number"])
            }
            var bodies: [String: String] = [:]
            for key in MetadataKey.addressing { bodies[key.rawValue] = text(eni[key.rawValue]) }
            let card = text(eni["network-card"]).flatMap { Int($0) } ?? 0
            return Input(interface: "ens\(5 + 100 * card + device)", mac: mac, primary: mac == primary, card: card,
                         device: device, bodies: bodies, config: nil)
        }
    }

    static func loadInputs(_ url: URL) throws -> [Input] {
        let data = try Data(contentsOf: url)
        if let reference = try? JSONDecoder().decode(TreeReference.self, from: data) {
            return try inputs(fromTree: reference.tree)
        }
        if let many = try? JSONDecoder().decode([Input].self, from: data) { return many }
        return [try JSONDecoder().decode(Input.self, from: data)]
    }

    static func render(_ input: Input) throws -> [GeneratedFile] {
        var bodies: [MetadataKey: String] = [:]
        for (k, v) in input.bodies {
            guard let key = MetadataKey(rawValue: k) else {
                throw NSError(domain: "golden", code: 1, userInfo: [NSLocalizedDescriptionKey: "unknown IMDS key \(k)"])
            }
            bodies[key] = v
        }
        let m = try InterfaceMetadata(mac: try MACAddress(parsing: input.mac), isPrimary: input.primary,
                                      index: try DeviceIndex(card: input.card, device: input.device), bodies: bodies)
        var c = Configuration()
        if let cfg = input.config {
            c.mtu = cfg.mtu
            if let v = cfg.secondaryDefaultRoutesInMain { c.secondaryDefaultRoutesInMain = v }
            if let v = cfg.localPrefixes { c.localPrefixes = v }
        }
        return NetworkdRenderer.render(m, interface: input.interface, configuration: c)
    }

    func testAllCasesPresent() throws {
        let names = try GoldenTests.caseNames()
        for required in GoldenTests.requiredCases {
            XCTAssertTrue(names.contains(required), "missing golden case \(required)")
        }
    }

    /// `UPDATE_GOLDEN=1` rewrites the expected files; refused in CI (`CI`
    /// set), where a rewrite would make any renderer change pass.
    static func updateRequested() -> Bool {
        let environment = ProcessInfo.processInfo.environment
        guard environment["UPDATE_GOLDEN"] == "1" else { return false }
        if let ci = environment["CI"], !ci.isEmpty {
            XCTFail("UPDATE_GOLDEN=1 is refused when CI is set: golden files are rewritten by a person, and the diff reviewed")
            return false
        }
        return true
    }

    func testGoldenFiles() throws {
        let update = GoldenTests.updateRequested()
        let fm = FileManager.default
        let names = try GoldenTests.caseNames()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let caseDir = GoldenTests.goldenDirectory.appendingPathComponent(name, isDirectory: true)
            let expectedDir = caseDir.appendingPathComponent("expected", isDirectory: true)
            var produced: [String: String] = [:]
            do {
                for input in try GoldenTests.loadInputs(caseDir.appendingPathComponent("input.json")) {
                    for file in try GoldenTests.render(input) {
                        XCTAssertNil(produced[file.name], "\(name): \(file.name) rendered twice")
                        produced[file.name] = file.contents
                    }
                }
            } catch {
                XCTFail("\(name): \(error)")
                continue
            }

            GoldenKeyLines.check(name, produced)
            if update {
                try? fm.removeItem(at: expectedDir)
                try fm.createDirectory(at: expectedDir, withIntermediateDirectories: true)
                for (file, contents) in produced {
                    try Data(contents.utf8).write(to: expectedDir.appendingPathComponent(file))
                }
                continue
            }

            let expectedNames = (try? fm.contentsOfDirectory(atPath: expectedDir.path))?.filter { !$0.hasPrefix(".") }.sorted() ?? []
            XCTAssertEqual(produced.keys.sorted(), expectedNames, "\(name): set of files")
            for file in expectedNames {
                guard let actual = produced[file] else { continue }
                let expected = try Data(contentsOf: expectedDir.appendingPathComponent(file))
                if Array(actual.utf8) != Array(expected) {
                    XCTFail("\(name)/\(file) differs:\n\(GoldenTests.firstDifference(Array(expected), Array(actual.utf8)))")
                }
            }
        }
    }

    /// The renderer is deterministic and does not depend on the order IMDS lists values in.
    func testSameMetadataSameBytes() throws {
        let mac = try MACAddress(parsing: "02:00:00:00:00:02")
        let index = try DeviceIndex(card: 0, device: 1)
        let a = try InterfaceMetadata(mac: mac, isPrimary: false, index: index, bodies: [
            .localIPv4s: "10.0.0.20\n10.0.0.22\n10.0.0.21", .ipv6s: "2600::2\n2600::1", .ipv4Prefix: "10.0.0.64/28\n10.0.0.48/28",
        ])
        let b = try InterfaceMetadata(mac: mac, isPrimary: false, index: index, bodies: [
            .localIPv4s: "10.0.0.20\n10.0.0.21\n10.0.0.22", .ipv6s: "2600::1\n2600::2", .ipv4Prefix: "10.0.0.48/28\n10.0.0.64/28",
        ])
        let c = Configuration()
        XCTAssertEqual(NetworkdRenderer.render(a, interface: "eth1", configuration: c), NetworkdRenderer.render(a, interface: "eth1", configuration: c))
        XCTAssertEqual(NetworkdRenderer.render(a, interface: "eth1", configuration: c), NetworkdRenderer.render(b, interface: "eth1", configuration: c))
    }

    func testOwnershipHeaderRoundTrips() throws {
        let mac = try MACAddress(parsing: "02:ab:00:00:00:02")
        let m = InterfaceMetadata(mac: mac, isPrimary: false, index: try DeviceIndex(card: 0, device: 1),
                                  ipv4Addresses: [try IPv4Address(parsing: "10.0.0.5")])
        let files = NetworkdRenderer.render(m, interface: "ens6", configuration: Configuration())
        XCTAssertEqual(files.map(\.name), ["05-ec2net-ens6.network"])
        XCTAssertTrue(files[0].contents.hasPrefix("# Generated by ec2net for MAC 02:ab:00:00:00:02; do not edit\n"))
        XCTAssertEqual(Ownership.owner(ofContents: Substring(files[0].contents)), mac)
        XCTAssertEqual(Ownership.interfaceName(fromFileName: files[0].name), "ens6")
        XCTAssertNil(Ownership.owner(ofContents: "[Match]\nMACAddress=02:ab:00:00:00:02\n"))
        XCTAssertNil(Ownership.interfaceName(fromFileName: "05-ec2net-.network"))
        XCTAssertNil(Ownership.interfaceName(fromFileName: "10-netplan-eth0.network"))
    }

    static func firstDifference(_ expected: [UInt8], _ actual: [UInt8]) -> String {
        let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for k in 0..<max(e.count, a.count) {
            let el = k < e.count ? String(e[k]) : "<end of file>"
            let al = k < a.count ? String(a[k]) : "<end of file>"
            if el != al { return "line \(k + 1):\n  expected: \(el)\n  actual:   \(al)" }
        }
        return "(same lines, different bytes)"
    }
}
