import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// Ownership of kernel rules by evidence (issue 20): ec2net deletes a rule
/// only when its ledger shows one of its generated files asked for it, no
/// configuration networkd loads asks for it now, and the kernel holds
/// exactly that rule. The kernel is a FakeRuleTable; the files a temporary root.
final class StaleRuleCleanerTests: XCTestCase {
    var host: FakeHost!
    var log: RecordingLog!
    var kernel: FakeRuleTable!

    static let mine = PolicyRule(source: "10.0.1.20", table: 10001)!
    static let mineToo = PolicyRule(source: "10.0.1.21", table: 10001)!
    /// The same shape, never asked for by ec2net: another tool's.
    static let foreign = PolicyRule(source: "10.0.1.99", table: 10001)!

    static func file(_ rules: [PolicyRule]) -> String {
        rules.map { "[RoutingPolicyRule]\nFrom=\($0.source!)\nPriority=\($0.priority)\nTable=\($0.table)\n" }.joined(separator: "\n")
    }

    override func setUpWithError() throws {
        host = try FakeHost(self)
        log = RecordingLog()
        kernel = FakeRuleTable([Self.mine, Self.mineToo, Self.foreign])
    }

    var ledger: RuleLedger { RuleLedger(paths: host.paths) }

    func record(_ rules: [PolicyRule]) throws {
        try ledger.record([GeneratedFile(name: "05-ec2net-eth1.network", contents: Self.file(rules))])
    }

    func clean() { StaleRuleCleaner(paths: host.paths, rules: kernel, lockDeadline: nil, log: log).clean() }

    func write(_ path: String, _ text: String) throws {
        try Directory.makePath(String(path[..<path.lastIndex(of: "/")!]))
        try writeText(path, text)
    }

    func ledgerRules() throws -> [PolicyRule] { try ledger.entries().map(\.rule) }

    func testOnlyRulesOnRecordAreRemoved() throws {
        try record([Self.mine, Self.mineToo])
        clean()
        XCTAssertEqual(kernel.deleted, [Self.mine, Self.mineToo])
        XCTAssertEqual(kernel.held, [Self.foreign], "a rule of ec2net's shape that ec2net never asked for stays")
        XCTAssertEqual(try ledgerRules(), [], "deleted rules leave the ledger")
        XCTAssertTrue(log.contains("removed stale rule from 10.0.1.20/32 lookup 10001 priority 10001"))
    }

    func testRulesAGeneratedFileStillWantsStay() throws {
        try record([Self.mine, Self.mineToo])
        try write(host.paths.networkdRuntime + "/05-ec2net-eth1.network", Self.file([Self.mine]))
        clean()
        XCTAssertEqual(kernel.deleted, [Self.mineToo])
        XCTAssertEqual(try ledgerRules(), [Self.mine])
    }

    /// The README's override: the admin copies ec2net's file to /etc; or a
    /// drop-in of any file, in any of networkd's directories, asks for the rule.
    func testRulesOtherConfigurationWantsStay() throws {
        let places = [
            "/etc/systemd/network/05-ec2net-eth1.network",
            "/etc/systemd/network/10-admin.network.d/rules.conf",
            "/run/systemd/network/20-other.network.d/50-rules.conf",
            "/usr/lib/systemd/network/80-vendor.network",
            "/usr/lib/systemd/network/80-vendor.network.d/rules.conf",
        ]
        for place in places {
            try setUpWithError()
            try record([Self.mine])
            try write(host.paths.root + place, "[Match]\nName=eth1\n\n" + Self.file([Self.mine]))
            clean()
            XCTAssertEqual(kernel.deleted, [], place)
            XCTAssertEqual(try ledgerRules(), [Self.mine], place)
        }
    }

    /// An admin section without Priority= wants the rule at any priority;
    /// one with a different selector does not want ec2net's rule.
    func testAdminSectionsAreComparedAsNetworkdReadsThem() throws {
        try record([Self.mine, Self.mineToo])
        try write(host.paths.adminNetworkd + "/10-eth1.network",
                  "[RoutingPolicyRule]\nFrom=10.0.1.20\nTable=10001\n\n[RoutingPolicyRule]\nFrom=10.0.1.21\nTable=10001\nPriority=10001\nIncomingInterface=lo\n")
        clean()
        XCTAssertEqual(kernel.deleted, [Self.mineToo])
    }

    func testConfigurationReadThroughSymlinks() throws {
        let elsewhere = host.root + "/managed"
        try write(elsewhere + "/net/05-ec2net-eth1.network", Self.file([Self.mine]))
        try write(elsewhere + "/dropin.conf", Self.file([Self.mineToo]))
        try Directory.makePath(host.paths.root + "/etc/systemd")
        XCTAssertEqual(symlink(elsewhere + "/net", host.paths.adminNetworkd), 0)
        try Directory.makePath(host.paths.root + "/usr/lib/systemd/network/x.network.d")
        XCTAssertEqual(symlink(elsewhere + "/dropin.conf", host.paths.root + "/usr/lib/systemd/network/x.network.d/r.conf"), 0)
        try record([Self.mine, Self.mineToo])
        clean()
        XCTAssertEqual(kernel.deleted, [])
    }

    /// What an unreadable file asks for is unknown: nothing is deleted that run.
    func testUnreadableConfigurationDeletesNothing() throws {
        try record([Self.mine])
        try Directory.makePath(host.paths.adminNetworkd + "/10-broken.network")  // a directory where a file should be
        clean()
        XCTAssertEqual(kernel.deleted, [])
        XCTAssertEqual(try ledgerRules(), [Self.mine])
        XCTAssertTrue(log.problems.contains { $0.contains("10-broken.network") && $0.contains("no rule removed") }, "\(log.problems)")
    }

    func testCorruptLedgerDeletesNothing() throws {
        try write(ledger.path, "From=10.0.1.20 Priority=10001 Table=10001\nFrom=10.0.1.21 Priority=10001 Tab\n")
        clean()
        XCTAssertEqual(kernel.deleted, [])
        XCTAssertTrue(log.problems.contains { $0.contains("line 2 is not a rule") }, "\(log.problems)")
        // Recording keeps the unreadable line, so the ledger stays distrusted rather than forgetting a rule.
        try record([PolicyRule(source: "10.0.1.22", table: 10001)!])
        XCTAssertTrue(try String(contentsOfFile: ledger.path, encoding: .utf8).contains("Tab\n"))
    }

    func testFailedDeletionStaysOnRecordAndAbsentRuleLeaves() throws {
        let gone = PolicyRule(source: "10.0.1.30", table: 10001)!
        try record([Self.mine, Self.mineToo, gone])
        kernel.refusing = [Self.mine]
        clean()
        XCTAssertEqual(kernel.deleted, [Self.mineToo])
        XCTAssertEqual(try ledgerRules(), [Self.mine], "the refused one stays for the next run; the absent one leaves")
        XCTAssertTrue(log.problems.contains { $0.contains("stale rule from 10.0.1.20/32") })
        kernel.refusing = []
        clean()
        XCTAssertEqual(kernel.deleted, [Self.mineToo, Self.mine])
        XCTAssertEqual(try ledgerRules(), [])
    }

    /// A kernel rule differing in one selector is not the rule on record.
    func testOnlyTheExactRuleIsDeleted() throws {
        var withMark = Self.mine
        withMark.firewallMark = .init(value: 0x20)
        var inverted = Self.mine
        inverted.inverted = true
        kernel = FakeRuleTable([withMark, inverted])
        try record([Self.mine])
        clean()
        XCTAssertEqual(kernel.deleted, [])
        XCTAssertEqual(try ledgerRules(), [], "not in the kernel exactly: absent")
    }

    func testRecordingWritesOnlyNewRules() throws {
        try record([Self.mine])
        var before = stat()
        XCTAssertEqual(stat(ledger.path, &before), 0)
        try record([Self.mine])
        var after = stat()
        XCTAssertEqual(stat(ledger.path, &after), 0)
        XCTAssertEqual(before.st_ino, after.st_ino, "nothing new: not rewritten")
        try record([Self.mine, Self.mineToo])
        XCTAssertEqual(try ledgerRules(), [Self.mine, Self.mineToo])
    }

    /// The order that makes the ledger crash-safe: the rules are on record
    /// before the file is renamed into place, so a writer that dies (here:
    /// fails) between the two leaves a superset, never a file whose rules
    /// the ledger does not know.
    func testRulesAreOnRecordBeforeTheFileIsInPlace() throws {
        let mac = try MACAddress(parsing: "02:00:00:00:00:02")
        let m = InterfaceMetadata(mac: mac, isPrimary: false, index: try DeviceIndex(card: 0, device: 1), interfaceID: nil,
                                  ipv4Addresses: [try IPv4Address(parsing: "10.0.1.20")], ipv4Prefixes: [],
                                  ipv4Subnet: try IPv4CIDR(parsing: "10.0.1.0/24"))
        let configurator = try InterfaceConfigurator(configuration: Configuration(), paths: host.paths, links: nil, lockDeadline: nil, log: log)
        // A directory in the way of the file: the write fails after the ledger was written.
        try Directory.makePath(host.paths.networkdRuntime + "/05-ec2net-eth1.network")
        XCTAssertThrowsError(try configurator.commit(interface: "eth1", metadata: m))
        XCTAssertEqual(try ledgerRules(), [Self.mine])
        try FileManager.default.removeItem(atPath: host.paths.networkdRuntime + "/05-ec2net-eth1.network")
        let fresh = try InterfaceConfigurator(configuration: Configuration(), paths: host.paths, links: nil, lockDeadline: nil, log: log)
        _ = try fresh.commit(interface: "eth1", metadata: m)
        let written = try String(contentsOfFile: host.paths.networkdRuntime + "/05-ec2net-eth1.network", encoding: .utf8)
        XCTAssertTrue(Set(PolicyRule.rules(inGeneratedFile: written)).isSubset(of: Set(try ledgerRules())))
    }
}
