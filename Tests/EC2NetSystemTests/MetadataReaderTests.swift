import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// IMDS as a dictionary of paths under /latest/meta-data/; records every request.
final class DictionarySource: MetadataSource {
    var values: [String: String]
    private(set) var requested: [String] = []
    var failure: IMDSError? = nil

    init(_ values: [String: String]) { self.values = values }

    func get(_ path: String) throws(IMDSError) -> String? {
        requested.append(path)
        if let failure { throw failure }
        return values[path]
    }

    func count(_ suffix: String) -> Int { requested.filter { $0.hasSuffix(suffix) }.count }
}

/// Fake time: sleeping advances it and runs `onSleep`, which may change IMDS.
final class FakeClock: MonotonicClock {
    private(set) var time = 1000.0
    private(set) var sleeps: [Double] = []
    var onSleep: ((FakeClock) -> Void)? = nil

    func now() -> Double { time }
    func sleep(_ seconds: Double) {
        sleeps.append(seconds)
        time += seconds
        onSleep?(self)
    }
    var slept: Double { sleeps.reduce(0, +) }
}

final class MetadataReaderTests: XCTestCase {
    static let primary = "02:00:00:00:00:01"
    static let secondary = "02:00:00:00:00:02"
    let primaryMAC = try! MACAddress(parsing: primary)
    let secondaryMAC = try! MACAddress(parsing: secondary)

    static func eni(_ mac: String, keys: [String: String]) -> [String: String] {
        let base = "network/interfaces/macs/\(mac)/"
        var out: [String: String] = [base: keys.keys.sorted().joined(separator: "\n")]
        for (k, v) in keys { out[base + k] = v }
        return out
    }

    /// A single-card instance: no `network-card` key anywhere.
    static func singleCard(secondaryDevice: String = "1") -> [String: String] {
        var v: [String: String] = ["mac": primary, "network/interfaces/macs/": "\(primary)/\n\(secondary)/"]
        v.merge(eni(primary, keys: [
            "device-number": "0", "interface-id": "eni-0000000000000aaa1", "local-ipv4s": "10.0.0.10", "mac": primary,
            "subnet-ipv4-cidr-block": "10.0.0.0/24", "vpc-id": "vpc-1a2b3c4d",
        ])) { $1 }
        v.merge(eni(secondary, keys: [
            "device-number": secondaryDevice, "interface-id": "eni-0000000000000aaa2", "local-ipv4s": "10.0.0.20\n10.0.0.21",
            "mac": secondary, "subnet-ipv4-cidr-block": "10.0.0.0/24",
        ])) { $1 }
        return v
    }

    /// A multi-card instance: the primary publishes `network-card`.
    static func multiCard(secondaryKeys: [String: String]) -> [String: String] {
        var v: [String: String] = ["mac": primary]
        v.merge(eni(primary, keys: ["device-number": "0", "network-card": "0", "local-ipv4s": "10.0.0.10"])) { $1 }
        v.merge(eni(secondary, keys: secondaryKeys)) { $1 }
        return v
    }

    func testPrimaryNeedsNoDeviceNumberWait() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard())
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock)
        let m = try reader.read(mac: primaryMAC, timeout: 20)
        XCTAssertTrue(m.isPrimary)
        XCTAssertEqual(m.index, .primary)
        XCTAssertEqual(m.interfaceID?.description, "eni-0000000000000aaa1")
        XCTAssertEqual(m.ipv4Addresses.map(\.description), ["10.0.0.10"])
        XCTAssertEqual(m.ipv4Subnet?.description, "10.0.0.0/24")
        XCTAssertEqual(clock.sleeps, [])
        XCTAssertEqual(source.count("/device-number"), 0)
        XCTAssertEqual(source.count("/network-card"), 0)
    }

    func testSingleCardSecondaryIsCardZeroWithoutWaiting() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard())
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock)
        let m = try reader.read(mac: secondaryMAC, timeout: 20)
        XCTAssertFalse(m.isPrimary)
        XCTAssertEqual(m.index, try DeviceIndex(card: 0, device: 1))
        XCTAssertEqual(m.ipv4Addresses.map(\.description), ["10.0.0.20", "10.0.0.21"])
        XCTAssertEqual(clock.sleeps, [])
        XCTAssertEqual(source.count("network-card"), 0, "network-card is never requested: \(source.requested)")
        XCTAssertEqual(source.count("/device-number"), 1)
        // Only keys the listing names are fetched.
        XCTAssertEqual(source.count("/ipv6s"), 0)
        XCTAssertEqual(source.count("/ipv4-prefix"), 0)
        XCTAssertEqual(source.count("/vpc-id"), 0)
    }

    func testMultiCardSecondaryWithoutNetworkCardYetIsPending() throws {
        let source = DictionarySource(MetadataReaderTests.multiCard(secondaryKeys: ["device-number": "1", "local-ipv4s": "10.0.0.20"]))
        let reader = MetadataReader(source: source, clock: FakeClock())
        guard case .pending(let what) = try reader.attempt(mac: secondaryMAC) else { return XCTFail("not pending") }
        XCTAssertEqual(what, .key(.networkCard))
    }

    func testMultiCardSecondaryReadsItsCard() throws {
        let source = DictionarySource(MetadataReaderTests.multiCard(secondaryKeys: [
            "device-number": "0", "network-card": "1", "local-ipv4s": "10.0.1.20",
        ]))
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock)
        // device-number 0 is valid on card 1.
        let m = try reader.read(mac: secondaryMAC, timeout: 20)
        XCTAssertEqual(m.index, try DeviceIndex(card: 1, device: 0))
        XCTAssertFalse(m.isPrimary)
        XCTAssertEqual(clock.sleeps, [])
    }

    func testMultiCardNetworkCardPropagatesDuringTheWait() throws {
        let source = DictionarySource(MetadataReaderTests.multiCard(secondaryKeys: ["device-number": "2", "local-ipv4s": "10.0.1.20"]))
        let clock = FakeClock()
        clock.onSleep = { c in
            if c.sleeps.count == 4 {
                source.values.merge(MetadataReaderTests.eni(MetadataReaderTests.secondary, keys: [
                    "device-number": "2", "network-card": "1", "local-ipv4s": "10.0.1.20",
                ])) { $1 }
            }
        }
        let m = try MetadataReader(source: source, clock: clock).read(mac: secondaryMAC, timeout: 20)
        XCTAssertEqual(m.index, try DeviceIndex(card: 1, device: 2))
        XCTAssertEqual(clock.sleeps.count, 4)
    }

    func testDeviceNumberZeroForASecondaryIsPendingUntilItPropagates() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "0"))
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock)
        guard case .pending(let what) = try reader.attempt(mac: secondaryMAC) else { return XCTFail("not pending") }
        XCTAssertEqual(what, .key(.deviceNumber))

        clock.onSleep = { c in
            if c.sleeps.count == 3 {
                source.values["network/interfaces/macs/\(MetadataReaderTests.secondary)/device-number"] = "3"
            }
        }
        let m = try reader.read(mac: secondaryMAC, timeout: 20)
        XCTAssertEqual(m.index, try DeviceIndex(card: 0, device: 3))
        XCTAssertEqual(clock.sleeps, [PropagationWait.pollInterval, PropagationWait.pollInterval, PropagationWait.pollInterval])
        // The primary MAC and the instance's network-card answer are asked once, not per poll.
        XCTAssertEqual(source.requested.filter { $0 == "mac" }.count, 1)
        XCTAssertEqual(source.requested.filter { $0 == "network/interfaces/macs/\(MetadataReaderTests.primary)/" }.count, 1)
    }

    func testDeadlineGivesNotPropagated() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "0"))
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock)
        XCTAssertThrowsError(try reader.read(mac: secondaryMAC, timeout: 1.0)) { error in
            guard case .notPropagated(let mac, let what, let waited)? = error as? MetadataReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(mac, self.secondaryMAC)
            XCTAssertEqual(what, "device-number")
            XCTAssertGreaterThanOrEqual(waited, 1.0 - 1e-9)
            XCTAssertLessThan(waited, 1.0 + PropagationWait.pollInterval)
        }
        XCTAssertEqual(clock.slept, 1.0, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(clock.sleeps.count, 22)
        XCTAssertTrue(clock.sleeps.allSatisfy { $0 <= PropagationWait.pollInterval + 1e-12 })
    }

    /// Issue 21: the run's deadline ends the propagation wait before its own timeout.
    func testRunDeadlineEndsThePropagationWait() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "0"))
        let clock = FakeClock()
        let reader = MetadataReader(source: source, clock: clock, deadline: RunDeadline(start: clock.now(), budget: 0.3))
        XCTAssertThrowsError(try reader.read(mac: secondaryMAC, timeout: 20)) { error in
            guard case .notPropagated(_, let what, _)? = error as? MetadataReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "device-number")
        }
        XCTAssertEqual(clock.slept, 0.3, accuracy: 1e-6)
    }

    func testZeroTimeoutDoesNotWait() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "0"))
        let clock = FakeClock()
        XCTAssertThrowsError(try MetadataReader(source: source, clock: clock).read(mac: secondaryMAC, timeout: 0))
        XCTAssertEqual(clock.sleeps, [])
    }

    func testUnknownMACIsPending() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard())
        let reader = MetadataReader(source: source, clock: FakeClock())
        guard case .pending(let what) = try reader.attempt(mac: try MACAddress(parsing: "02:00:00:00:00:99")) else {
            return XCTFail("not pending")
        }
        XCTAssertEqual(what, .mac)
    }

    /// Issue 21: IMDS lists `local-ipv4s` for the MAC, then answers 404 or
    /// an empty body for it (a propagation inconsistency). Not "no
    /// addresses" (which removes the ENI's config): pending, and at the
    /// deadline not propagated (75), until IMDS agrees with its listing.
    func testAListedKeyAnswering404OrEmptyIsPendingNotAbsent() throws {
        let key = "network/interfaces/macs/\(MetadataReaderTests.secondary)/local-ipv4s"
        for broken: String? in [nil, "", "\n"] {
            var v = MetadataReaderTests.singleCard()
            v[key] = broken
            let source = DictionarySource(v)
            let clock = FakeClock()
            let reader = MetadataReader(source: source, clock: clock)
            guard case .pending(let what) = try reader.attempt(mac: secondaryMAC) else {
                return XCTFail("\(String(describing: broken)): not pending")
            }
            XCTAssertEqual(what, .listedButMissing(.localIPv4s))
            XCTAssertThrowsError(try reader.read(mac: secondaryMAC, timeout: 1)) { error in
                guard case .notPropagated(_, let what, _)? = error as? MetadataReadError else { return XCTFail("\(error)") }
                XCTAssertTrue(what.hasPrefix("local-ipv4s"))
            }
            XCTAssertGreaterThan(source.count("/local-ipv4s"), 2, "asked again while waiting")
            // Healed: read as usual.
            clock.onSleep = { _ in source.values[key] = "10.0.0.20" }
            XCTAssertEqual(try reader.read(mac: secondaryMAC, timeout: 1).ipv4Addresses.map(\.description), ["10.0.0.20"])
        }
    }

    /// Not listed is absent: an EFA-only ENI has no `local-ipv4s` at all.
    func testAnUnlistedKeyIsAbsent() throws {
        var v = MetadataReaderTests.singleCard()
        v.merge(MetadataReaderTests.eni(MetadataReaderTests.secondary, keys: [
            "device-number": "1", "interface-id": "eni-0000000000000aaa2", "mac": MetadataReaderTests.secondary,
        ])) { $1 }
        v["network/interfaces/macs/\(MetadataReaderTests.secondary)/local-ipv4s"] = nil
        let m = try MetadataReader(source: DictionarySource(v), clock: FakeClock()).read(mac: secondaryMAC, timeout: 0)
        XCTAssertFalse(m.hasAnyAddress)
    }

    func testInvalidValueIsRefused() throws {
        var v = MetadataReaderTests.singleCard()
        v["network/interfaces/macs/\(MetadataReaderTests.secondary)/local-ipv4s"] = "10.0.0.20\n[Match]"
        let reader = MetadataReader(source: DictionarySource(v), clock: FakeClock())
        XCTAssertThrowsError(try reader.read(mac: secondaryMAC, timeout: 20)) { error in
            guard case .invalid(.invalidValue(let key, _))? = error as? MetadataReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "local-ipv4s")
        }
    }

    func testOutOfRangeDeviceNumberIsRefused() throws {
        let reader = MetadataReader(source: DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "100")), clock: FakeClock())
        XCTAssertThrowsError(try reader.read(mac: secondaryMAC, timeout: 20)) { error in
            guard case .invalid? = error as? MetadataReadError else { return XCTFail("\(error)") }
        }
    }

    func testIMDSErrorsPropagate() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard())
        source.failure = .forbidden(path: "/latest/meta-data/mac")
        XCTAssertThrowsError(try MetadataReader(source: source, clock: FakeClock()).read(mac: secondaryMAC, timeout: 20)) { error in
            guard case .imds(.forbidden)? = error as? MetadataReadError else { return XCTFail("\(error)") }
        }
    }

    func testPrimaryMACAndAttachedMACs() throws {
        let source = DictionarySource(MetadataReaderTests.singleCard())
        let reader = MetadataReader(source: source, clock: FakeClock())
        XCTAssertEqual(try reader.primaryMAC(), primaryMAC)
        XCTAssertEqual(try reader.primaryMAC(), primaryMAC)
        XCTAssertEqual(source.requested.filter { $0 == "mac" }.count, 1)
        XCTAssertEqual(try reader.attachedMACs(), [primaryMAC, secondaryMAC])

        source.values["network/interfaces/macs/"] = "\(MetadataReaderTests.primary)/\nnot-a-mac/"
        XCTAssertThrowsError(try reader.attachedMACs())
        source.values["network/interfaces/macs/"] = nil
        XCTAssertEqual(try reader.attachedMACs(), [])
    }

    func testMissingPrimaryMACIsInvalid() throws {
        let reader = MetadataReader(source: DictionarySource([:]), clock: FakeClock())
        XCTAssertThrowsError(try reader.primaryMAC()) { error in
            guard case .invalid(.missing(let key))? = error as? MetadataReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "mac")
        }
    }
}
