import XCTest
@testable import EC2NetCore

/// The one management decision: every reason, and for every pair of reasons
/// that can hold together, which one wins. The order written out here is the
/// specification (README "Exit codes", "Configuration"; issue 20); the code's
/// order is `ManagementDecision.Check`.
///
/// The ENI: a secondary ENI as IMDS describes it (AWS, "Instance metadata
/// categories", network/interfaces/macs/MAC/{device-number,interface-id,
/// local-ipv4s}): device 1 on card 0, eni-0123456789abcdef1. EFA-only: an
/// ENI with no local-ipv4s and no ipv6s (AWS, "Elastic Fabric Adapter",
/// EFA-only interfaces have no IP address).
final class ManagementDecisionTests: XCTestCase {
    typealias Reason = ManagementDecision.Reason

    /// Each fact that makes one reason hold, switched on by itself.
    enum Fact: CaseIterable {
        case manageNone, absent, notAnENI, temporaryName, claimed, excluded, primaryOnlySecondary, noAddresses
    }

    /// The winning order, first wins.
    static let order: [Fact] = [.manageNone, .absent, .notAnENI, .temporaryName, .claimed, .excluded,
                                .primaryOnlySecondary, .noAddresses]

    static let mac = try! MACAddress(parsing: "02:00:0a:00:01:14")
    static let eni = try! InterfaceID(parsing: "eni-0123456789abcdef1")
    static let claimFile = "/etc/systemd/network/10-eth1.network"

    static func expected(_ f: Fact) -> Reason {
        switch f {
        case .manageNone: return .inert
        case .absent: return .absent
        case .notAnENI: return .notAnENI
        case .temporaryName: return .temporaryName
        case .claimed: return .claimed(file: claimFile)
        case .excluded: return .excluded(.mac(mac))
        case .primaryOnlySecondary: return .secondaryUnderPrimaryOnly
        case .noAddresses: return .noAddresses
        }
    }

    /// Facts that cannot hold together: one `Manage=` value; a name is
    /// either absent or temporary; a claim is read for a present interface only.
    static func compatible(_ facts: Set<Fact>) -> Bool {
        if facts.contains(.manageNone) && facts.contains(.primaryOnlySecondary) { return false }
        if facts.contains(.absent) && (facts.contains(.temporaryName) || facts.contains(.claimed)) { return false }
        return true
    }

    struct Case {
        var subject: ManagementDecision.Subject
        var configuration = Configuration()
        var claim: String? = nil
    }

    /// The interface with the facts; `withIMDS` false: as before IMDS answered.
    static func make(_ facts: Set<Fact>, withIMDS: Bool = true) -> Case {
        var c = Case(subject: ManagementDecision.Subject(mac: mac, name: "eth1"))
        c.configuration.namingMode = .deviceIndex
        if facts.contains(.manageNone) { c.configuration.manage = .none }
        if facts.contains(.primaryOnlySecondary) { c.configuration.manage = .primaryOnly }
        if facts.contains(.absent) { c.subject.name = nil }
        if facts.contains(.notAnENI) { c.subject.isENI = false }
        if facts.contains(.temporaryName) { c.subject.name = NamingPolicy.temporaryName(for: mac) }
        if facts.contains(.claimed) { c.claim = claimFile }
        if facts.contains(.excluded) { c.configuration.exclude = [.mac(mac)] }
        if withIMDS {
            c.subject.interfaceID = eni
            c.subject.index = try! DeviceIndex(card: 0, device: 1)
            c.subject.isPrimary = false  // device 1: a secondary ENI; only Manage=primary-only makes that a reason
            c.subject.hasAnyAddress = !facts.contains(.noAddresses)
        }
        return c
    }

    static func decide(_ c: Case) -> Reason? {
        ManagementDecision.decide(c.subject, configuration: c.configuration, adminClaim: { c.claim })
    }

    func testNothingAgainstItIsManaged() {
        XCTAssertNil(Self.decide(Self.make([])))
        XCTAssertNil(Self.decide(Self.make([], withIMDS: false)), "before IMDS: nothing keeps ec2net from asking it")
    }

    func testEveryReasonAlone() {
        for f in Fact.allCases {
            XCTAssertEqual(Self.decide(Self.make([f])), Self.expected(f), "\(f)")
        }
    }

    func testEveryPairTheEarlierWins() {
        var pairs = 0
        for (i, a) in Self.order.enumerated() {
            for b in Self.order[(i + 1)...] where Self.compatible([a, b]) {
                XCTAssertEqual(Self.decide(Self.make([a, b])), Self.expected(a), "\(a) and \(b): \(a) wins")
                pairs += 1
            }
        }
        XCTAssertEqual(pairs, 28 - 3, "every pair except the three that cannot hold together")
    }

    /// The order in the code is the order of the specification.
    func testTheDeclaredOrderIsOneList() {
        XCTAssertEqual(ManagementDecision.Check.allCases,
                       [.manage, .presence, .driver, .name, .adminClaim, .exclusion, .primaryOnly, .addresses])
    }

    /// What ec2-plug decides before IMDS is what it (and `ec2net status`,
    /// which has IMDS) decides after: for every combination of facts, a
    /// reason found without IMDS is the reason found with it.
    func testBeforeIMDSIsThePrefixOfAfter() {
        let all = Fact.allCases
        for bits in 0..<(1 << all.count) {
            let facts = Set(all.enumerated().filter { bits & (1 << $0.offset) != 0 }.map { $0.element })
            guard Self.compatible(facts) else { continue }
            let before = Self.decide(Self.make(facts, withIMDS: false))
            let after = Self.decide(Self.make(facts))
            if let before { XCTAssertEqual(after, before, "\(facts)") }
            XCTAssertEqual(after, Self.order.first { facts.contains($0) }.map(Self.expected), "\(facts)")
        }
    }

    func testReasonsThatNeedIMDSDoNotHoldBeforeIt() {
        for f in [Fact.primaryOnlySecondary, .noAddresses] {
            XCTAssertNil(Self.decide(Self.make([f], withIMDS: false)), "\(f)")
        }
    }

    /// The admin's files are read only when every earlier check passed:
    /// not under Manage=none, not for a veth, not for a parked name.
    func testTheClaimIsReadOnlyWhenTheDecisionGetsThere() {
        for f in [Fact.manageNone, .absent, .notAnENI, .temporaryName] {
            let c = Self.make([f])
            var read = false
            _ = ManagementDecision.decide(c.subject, configuration: c.configuration, adminClaim: { read = true; return nil })
            XCTAssertFalse(read, "\(f)")
        }
        let c = Self.make([.excluded])
        var read = false
        _ = ManagementDecision.decide(c.subject, configuration: c.configuration, adminClaim: { read = true; return nil })
        XCTAssertTrue(read)
    }

    struct ClaimUnreadable: Error, Equatable {}

    func testAnUnreadableClaimIsTheCallersError() {
        let c = Self.make([])
        XCTAssertThrowsError(try ManagementDecision.decide(c.subject, configuration: c.configuration,
                                                           adminClaim: { () throws(ClaimUnreadable) -> String? in throw ClaimUnreadable() }))
        // Manage=none stays inert even then: the files are not read.
        let inert = Self.make([.manageNone])
        XCTAssertEqual(try ManagementDecision.decide(inert.subject, configuration: inert.configuration,
                                                     adminClaim: { () throws(ClaimUnreadable) -> String? in throw ClaimUnreadable() }), .inert)
    }

    /// A temporary name counts only under device-index naming, the only
    /// mode in which ec2-ifname parks an interface (README "Naming").
    func testATemporaryNameCountsOnlyUnderDeviceIndexNaming() {
        var c = Self.make([.temporaryName])
        c.configuration.namingMode = .keep
        XCTAssertNil(Self.decide(c))
    }

    /// Exclude= by MAC, ENI id and device number (README, "Configuration").
    func testExclusionRules() throws {
        let other = try MACAddress(parsing: "02:00:0a:00:01:15")
        var c = Self.make([])
        c.configuration.exclude = [.interfaceID(Self.eni.description)]
        XCTAssertEqual(Self.decide(c), .excluded(.interfaceID(Self.eni.description)))
        c.configuration.exclude = [.devices(1...15)]
        XCTAssertEqual(Self.decide(c), .excluded(.devices(1...15)))
        c.subject.index = try DeviceIndex(card: 1, device: 16)
        XCTAssertNil(Self.decide(c))
        c.configuration.exclude = [.mac(other)]
        XCTAssertNil(Self.decide(c))
        // Without IMDS only a MAC rule can hold.
        let before = Self.make([], withIMDS: false)
        for rule in [ExclusionRule.interfaceID(Self.eni.description), .devices(0...15)] {
            var b = before
            b.configuration.exclude = [rule]
            XCTAssertNil(Self.decide(b), "\(rule)")
        }
    }

    /// Several rules match: a MAC rule is named first (it is known before
    /// IMDS, so ec2-plug names the same rule before and after IMDS), then
    /// the first in the file.
    func testAMACRuleIsNamedFirst() {
        var c = Self.make([])
        c.configuration.exclude = [.devices(1...15), .interfaceID(Self.eni.description), .mac(Self.mac)]
        XCTAssertEqual(Self.decide(c), .excluded(.mac(Self.mac)))
        c.configuration.exclude = [.devices(1...15), .interfaceID(Self.eni.description)]
        XCTAssertEqual(Self.decide(c), .excluded(.devices(1...15)))
    }

    func testPrimaryOnlyKeepsThePrimary() {
        var c = Self.make([])
        c.configuration.manage = .primaryOnly
        c.subject.isPrimary = true
        c.subject.index = .primary
        XCTAssertNil(Self.decide(c))
    }

    func testForEveryInterfaceIsManageNone() {
        var c = Configuration()
        XCTAssertNil(ManagementDecision.forEveryInterface(c))
        c.manage = .primaryOnly
        XCTAssertNil(ManagementDecision.forEveryInterface(c))
        c.manage = .none
        XCTAssertEqual(ManagementDecision.forEveryInterface(c), .inert)
    }

    /// The codes of `ec2net status --json` (`reason_code`, ec2net-status(8)).
    func testStableCodes() {
        XCTAssertEqual(Self.order.map { Self.expected($0).code },
                       ["manage-none", "not-present", "not-an-eni", "temporary-name", "admin-file", "excluded",
                        "manage-primary-only", "no-addresses"])
    }
}
