import XCTest
@testable import EC2NetCore

/// The typed rule: equal only in every selector and the action; what a
/// `[RoutingPolicyRule]` section asks for, read with networkd's keys and
/// defaults (systemd.network(5)).
final class PolicyRuleTests: XCTestCase {
    static let ec2net = PolicyRule(source: "10.0.1.20", table: 10001)!

    func testEachSelectorDifferingMakesARuleUnequal() {
        let base = Self.ec2net
        let changes: [(String, (inout PolicyRule) -> Void)] = [
            ("family", { $0.family = .ipv6 }),
            ("from", { $0.source = RuleSource(parsing: "10.0.1.21") }),
            ("from all", { $0.source = nil }),
            ("to", { $0.destination = RuleSource(parsing: "192.0.2.0/24") }),
            ("tos", { $0.tos = 0x10 }),
            ("fwmark", { $0.firewallMark = .init(value: 0x20) }),
            ("fwmark mask", { $0.firewallMark = .init(value: 0, mask: 0xff) }),
            ("iif", { $0.incomingInterface = "lo" }),
            ("oif", { $0.outgoingInterface = "lo" }),
            ("not", { $0.inverted = true }),
            ("action blackhole", { $0.action = .blackhole }),
            ("action unreachable", { $0.action = .unreachable }),
            ("action prohibit", { $0.action = .prohibit }),
            ("action goto", { $0.action = .goto(priority: 10002) }),
            ("action nop", { $0.action = .nop }),
            ("table", { $0.table = 10002 }),
            ("priority", { $0.priority = 10000 }),
            ("ipproto", { $0.ipProtocol = 6 }),
            ("sport", { $0.sourcePorts = .init(1000, 2000) }),
            ("dport", { $0.destinationPorts = .init(443, 443) }),
            ("uidrange", { $0.users = .init(0, 0) }),
            ("l3mdev", { $0.l3MasterDevice = true }),
            ("suppress_prefixlength", { $0.suppressPrefixLength = 0 }),
            ("unknown attribute", { $0.unknown = [.init(type: 12, bytes: [1])] }),
        ]
        for (name, change) in changes {
            var other = base
            change(&other)
            XCTAssertNotEqual(other, base, name)
            XCTAssertFalse(RuleRequest.exactly(base).asks(for: other), name)
        }
        XCTAssertEqual(PolicyRule(source: "10.0.1.20/32", table: 10001)!, base, "a bare address is its /32")
    }

    func testGeneratedSectionIsEC2NetsRule() {
        let s = NetworkdSection("RoutingPolicyRule", [("From", "10.0.1.20"), ("Priority", "10001"), ("Table", "10001")])
        XCTAssertEqual(RuleRequest.requests(in: s), [.exactly(Self.ec2net)])
        XCTAssertTrue(Self.ec2net.hasEC2NetShape)
    }

    func testNetworkdDefaultsAndKeys() {
        func one(_ pairs: [(String, String)]) -> RuleRequest? {
            let r = RuleRequest.requests(in: NetworkdSection("RoutingPolicyRule", pairs))
            return r.count == 1 ? r[0] : nil
        }
        // No Priority=: the kernel picks one, so any priority is this rule.
        var any = PolicyRule(family: .ipv4, table: 10001, priority: 0)
        any.source = RuleSource(parsing: "10.0.1.20")
        XCTAssertEqual(one([("From", "10.0.1.20"), ("Table", "10001")]), .anyPriority(any))
        XCTAssertTrue(one([("From", "10.0.1.20"), ("Table", "10001")])!.asks(for: Self.ec2net))
        // No Table=: main. No From=/To=/Family=: IPv4.
        XCTAssertEqual(one([("Priority", "100")]), .exactly(PolicyRule(family: .ipv4, table: 254, priority: 100)))
        // Family=both: one rule per family.
        XCTAssertEqual(RuleRequest.requests(in: NetworkdSection("RoutingPolicyRule", [("Family", "both"), ("Priority", "5")])),
                       [.exactly(PolicyRule(family: .ipv4, table: 254, priority: 5)), .exactly(PolicyRule(family: .ipv6, table: 254, priority: 5))])
        // A later assignment wins; an empty one resets.
        XCTAssertEqual(one([("From", "10.0.1.9"), ("From", "10.0.1.20"), ("Priority", "10001"), ("Table", "7"), ("Table", "10001")]),
                       .exactly(Self.ec2net))
        XCTAssertEqual(one([("From", "10.0.1.20"), ("Priority", "10001"), ("Table", "10001"), ("InvertRule", "yes"), ("InvertRule", "")]),
                       .exactly(Self.ec2net))
        // FirewallMark= without a mask is mask 0xffffffff, as the kernel stores it.
        if case .exactly(let r)? = one([("FirewallMark", "32"), ("Priority", "1")]) {
            XCTAssertEqual(r.firewallMark, .init(value: 0x20, mask: 0xffff_ffff))
        } else { XCTFail("FirewallMark=32") }
        if case .exactly(let r)? = one([("SourcePort", "1000-2000"), ("DestinationPort", "443"), ("IPProtocol", "tcp"),
                                        ("User", "1000"), ("L3MasterDevice", "true"), ("Priority", "1")]) {
            XCTAssertEqual(r.sourcePorts, .init(1000, 2000))
            XCTAssertEqual(r.destinationPorts, .init(443, 443))
            XCTAssertEqual(r.ipProtocol, 6)
            XCTAssertEqual(r.users, .init(1000, 1000))
            XCTAssertTrue(r.l3MasterDevice)
        } else { XCTFail("ports") }
    }

    /// What ec2net cannot read fully it takes as wanting every rule at its priority (or every rule).
    func testUnreadableSectionsWantMore() {
        for pairs: [(String, String)] in [[("Table", "custom-name"), ("Priority", "10001")], [("User", "alice"), ("Priority", "10001")],
                                          [("GoTo", "10"), ("Priority", "10001")], [("From", "not-an-address"), ("Priority", "10001")]] {
            let r = RuleRequest.requests(in: NetworkdSection("RoutingPolicyRule", pairs))
            XCTAssertEqual(r, [.unreadable(priority: 10001)], "\(pairs)")
            XCTAssertTrue(r[0].asks(for: Self.ec2net))
            XCTAssertFalse(r[0].asks(for: PolicyRule(source: "10.0.1.20", table: 10002)!))
        }
        XCTAssertEqual(RuleRequest.requests(in: NetworkdSection("RoutingPolicyRule", [("Table", "custom")])), [.unreadable(priority: nil)])
        XCTAssertTrue(RuleRequest.unreadable(priority: nil).asks(for: Self.ec2net))
    }

    func testSourceContainment() {
        let block = RuleSource(parsing: "10.0.1.16/28")!
        XCTAssertTrue(block.contains(RuleSource(parsing: "10.0.1.20")!))
        XCTAssertFalse(block.contains(RuleSource(parsing: "10.0.1.32")!))
        XCTAssertFalse(RuleSource(parsing: "10.0.1.20")!.contains(block))
        XCTAssertTrue(RuleSource(parsing: "2600:1f18::/64")!.contains(RuleSource(parsing: "2600:1f18::5")!))
        XCTAssertFalse(RuleSource(parsing: "0.0.0.0/0")!.contains(RuleSource(parsing: "2600:1f18::5")!), "families differ")
    }
}
