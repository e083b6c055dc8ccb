import XCTest
@testable import EC2NetCore

final class StatusEvaluatorTests: XCTestCase {
    typealias F = StatusFixtures

    func interface(_ r: StatusReport, _ name: String) -> StatusReport.Interface {
        r.interfaces.first { $0.name == name }!
    }

    func testHealthyInstanceIsOK() {
        let r = StatusEvaluator.evaluate(F.healthy())
        XCTAssertEqual(r.verdict, .ok)
        XCTAssertEqual(r.problemCount, 0)
        let eth1 = interface(r, "eth1")
        XCTAssertTrue(eth1.managed)
        XCTAssertEqual(eth1.fileState, .upToDate)
        XCTAssertEqual(eth1.table, 10001)
        XCTAssertEqual(eth1.metric, 513)
        // 4 rules (3 addresses + 1 prefix), default + subnet route, 2 secondary /32s, the main default.
        XCTAssertEqual(eth1.checks.map(\.item.kind).filter { $0 == "rule" }.count, 4)
        XCTAssertEqual(eth1.checks.count, 4 + 2 + 2 + 1)
        XCTAssertTrue(eth1.checks.allSatisfy(\.present))
        XCTAssertEqual(r.egress.map(\.interface), ["eth0"])
        XCTAssertEqual(r.egress.first?.isPrimary, true)
    }

    /// `ec2net status eth0`: only eth0 is shown, and eth1's rules are not
    /// taken for stale because eth1 is not shown.
    func testNamedInterfacesOnly() {
        let r = StatusEvaluator.evaluate(F.healthy(), only: ["eth0"])
        XCTAssertEqual(r.interfaces.map(\.name), ["eth0"])
        XCTAssertEqual(r.verdict, .ok)
        XCTAssertTrue(r.foreignRules.isEmpty)
        XCTAssertEqual(StatusEvaluator.evaluate(F.drift(), only: ["eth0"]).verdict, .drift, "instance problems still count")
    }

    func testReasonsForUnmanagedENIs() {
        let r = StatusEvaluator.evaluate(F.healthy())
        XCTAssertEqual(interface(r, "eth2").reasonCode?.rawValue, "excluded")
        XCTAssertEqual(interface(r, "eth2").reason, "not managed: excluded by Exclude=02:00:00:00:00:30")
        XCTAssertEqual(interface(r, "eth3").reasonCode?.rawValue, "no-addresses")
        XCTAssertEqual(interface(r, "eth3").fileState, StatusReport.FileState.none)
    }

    func testManageNoneAndPrimaryOnly() {
        var e = F.healthy()
        e.configuration.manage = .primaryOnly
        var r = StatusEvaluator.evaluate(e)
        XCTAssertTrue(interface(r, "eth0").managed)
        XCTAssertEqual(interface(r, "eth1").reasonCode?.rawValue, "manage-primary-only")
        XCTAssertEqual(interface(r, "eth1").fileState, .unexpected, "its file is still there: drift")
        XCTAssertEqual(r.verdict, .drift)
        e.configuration.manage = .none
        r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(Set(r.interfaces.compactMap { $0.reasonCode?.rawValue }), ["manage-none"])
    }

    func testAdminClaimAndOtherManager() {
        var e = F.healthy()
        e.interfaces[1].adminClaim = "/etc/systemd/network/10-eth1.network"
        e.interfaces[1].generatedFiles = []
        e.interfaces[0].otherManager = "NetworkManager"
        let r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(interface(r, "eth1").reason, "not managed: /etc/systemd/network/10-eth1.network claims it")
        XCTAssertEqual(interface(r, "eth0").problems, ["NetworkManager also manages it; its settings and networkd's may fight"])
        // eth1's rules are still in the kernel and no file wants them: stale.
        XCTAssertEqual(r.foreignRules.filter(\.stale).count, 4)
        XCTAssertEqual(r.verdict, .drift)
    }

    func testDriftNamesEachDifference() {
        let r = StatusEvaluator.evaluate(F.drift())
        XCTAssertEqual(r.verdict, .drift)
        XCTAssertEqual(interface(r, "eth1").problems, [
            "missing address 10.0.0.22/32",
            "missing rule from 10.0.0.21/32 lookup 10001 priority 10001",
            "rule 10000 shadows ec2net's rule for 10.0.0.20/32: from 10.0.0.20/32 lookup 10002 priority 10000",
        ])
        XCTAssertEqual(interface(r, "eth1").shadowingRules.map(\.rule.priority), [10000])
        XCTAssertEqual(r.problems, [
            "IPv4 default traffic leaves by eth1, not by the primary ENI eth0",
            "stale rule from 10.0.0.50/32 lookup 10005 priority 10005: no generated file wants it",
        ])
        XCTAssertEqual(r.foreignRules.map(\.stale), [true, false, false])
        XCTAssertEqual(r.interfaces.first?.name, "eth1", "problems first")
    }

    /// Issue 20: ec2net's rule replaced by `not from` the same source: not ec2net's rule.
    func testNotFromIsNotEC2NetsRule() {
        var e = F.healthy()
        let mine = PolicyRule(source: "10.0.0.20", table: 10001)!
        var inverted = mine
        inverted.inverted = true
        e.kernel.rules = e.kernel.rules.map { $0 == mine ? inverted : $0 }
        let r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(r.verdict, .drift)
        XCTAssertEqual(interface(r, "eth1").problems, ["missing rule from 10.0.0.20/32 lookup 10001 priority 10001"])
    }

    /// Issue 20: a blackhole default in the ENI's table is no default route;
    /// nor is one on another device, without a gateway, or via a gateway off the subnet.
    func testTableDefaultRouteMustBeUnicastOnTheENIViaItsRouter() {
        let missing = ["missing route IPv4 default in table 10001"]
        let replacements: [(String, KernelSnapshot.Route)] = [
            ("blackhole", .init(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: nil, metric: 0, type: 6)),
            ("other device", .init(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: 2, metric: 0, gateway: prefix("10.0.0.1"))),
            ("no gateway", .init(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: 3, metric: 0)),
            ("gateway off the subnet", .init(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: 3, metric: 0,
                                             gateway: prefix("192.0.2.1"))),
        ]
        for (name, route) in replacements {
            var e = F.healthy()
            e.kernel.routes.removeAll { $0.table == 10001 && $0.isDefault }
            e.kernel.routes.append(route)
            let r = StatusEvaluator.evaluate(e)
            XCTAssertEqual(r.verdict, .drift, name)
            XCTAssertEqual(interface(r, "eth1").problems, missing, name)
        }
        // As seen on the simulated instance: `ip route replace blackhole default table 10001` adds one at
        // metric 0 ahead of networkd's at 513, which stays but no longer carries the traffic.
        var e = F.healthy()
        e.kernel.routes = e.kernel.routes.map { r in
            r.table == 10001 && r.isDefault
                ? .init(family: r.family, table: r.table, destination: r.destination, interfaceIndex: r.interfaceIndex,
                        metric: 513, gateway: r.gateway) : r
        }
        XCTAssertEqual(StatusEvaluator.evaluate(e).verdict, .ok)
        e.kernel.routes.append(.init(family: .ipv4, table: 10001, destination: ipv4Default, interfaceIndex: nil, metric: 0, type: 6))
        XCTAssertEqual(interface(StatusEvaluator.evaluate(e), "eth1").problems, missing, "blackhole ahead")
    }

    /// Issue 20: `from 10.0.0.20 lookup 10002 priority 10000` ahead of ec2net's rule takes its traffic.
    func testShadowingRuleIsDrift() {
        func shadowed(_ rule: PolicyRule) -> [String] {
            var e = F.healthy()
            e.kernel.rules.append(rule)
            return interface(StatusEvaluator.evaluate(e), "eth1").problems
        }
        func rule(_ source: String?, table: Int = 10002, priority: Int = 10000, _ change: (inout PolicyRule) -> Void = { _ in }) -> PolicyRule {
            var r = PolicyRule(family: .ipv4, table: table, priority: priority)
            r.source = source.flatMap { RuleSource(parsing: Substring($0)) }
            change(&r)
            return r
        }
        XCTAssertEqual(shadowed(rule("10.0.0.20")),
                       ["rule 10000 shadows ec2net's rule for 10.0.0.20/32: from 10.0.0.20/32 lookup 10002 priority 10000"])
        XCTAssertEqual(shadowed(rule("10.0.0.0/24", table: 254, priority: 9000)).count, 3, "main, by a block holding three sources")
        XCTAssertEqual(shadowed(rule(nil, priority: 9000) { $0.action = .blackhole }).count, 4, "from all, dropped: every source")
        XCTAssertEqual(shadowed(rule("10.0.0.20") { $0.inverted = true }).count, 3, "not from one source: the other three")
        // Not shadowing: after ec2net's, to the same table, to local, narrowed by another selector, the other family.
        XCTAssertEqual(shadowed(rule("10.0.0.20", priority: 10002)), [])
        XCTAssertEqual(shadowed(rule("10.0.0.20", table: 10001, priority: 10000)), [])
        XCTAssertEqual(shadowed(rule("10.0.0.20", table: 255)), [])
        XCTAssertEqual(shadowed(rule("10.0.0.20") { $0.firewallMark = .init(value: 0x20) }), [])
        XCTAssertEqual(shadowed(rule("10.0.0.20") { $0.incomingInterface = "lo" }), [])
        XCTAssertEqual(shadowed(rule(nil) { $0.family = .ipv6 }), [])
    }

    func testOutdatedAndMissingFiles() {
        var e = F.healthy()
        e.interfaces[1].generatedFiles = [F.rendered(F.metadata(2, device: 1, ipv4: ["10.0.0.20"]), "eth1")]
        var r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(interface(r, "eth1").fileState, .outdated)
        XCTAssertEqual(interface(r, "eth1").problems, ["05-ec2net-eth1.network differs from what IMDS says now"])
        e.interfaces[1].generatedFiles = []
        r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(interface(r, "eth1").fileState, .missing)
        XCTAssertEqual(interface(r, "eth1").problems.first, "05-ec2net-eth1.network is missing")
    }

    func testWithoutIMDSTheFilesOnDiskAreTheExpectation() {
        var e = F.withoutIMDS()
        var r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(r.verdict, .ok)
        // A file on disk with one more address than the kernel has: that address's parts are missing.
        e.interfaces[1].generatedFiles = [F.rendered(F.metadata(2, device: 1, ipv4: ["10.0.0.20", "10.0.0.21", "10.0.0.22", "10.0.0.23"],
                                                                prefixes: ["10.0.1.16/28"]), "eth1")]
        r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(r.verdict, .drift)
        XCTAssertEqual(interface(r, "eth1").problems, ["missing address 10.0.0.23/32", "missing rule from 10.0.0.23/32 lookup 10001 priority 10001"])
        XCTAssertEqual(r.imdsState, .skipped)
        XCTAssertEqual(r.primaryMAC, F.mac(1), "from the naming map")
        XCTAssertEqual(interface(r, "eth1").fileState, .notChecked)
        XCTAssertEqual(interface(r, "eth1").index, F.secondary.index)
        // Without IMDS the EFA-only ENI cannot be told apart: it has no file, which is no drift.
        XCTAssertEqual(interface(r, "eth3").reasonCode?.rawValue, "no-file")
        XCTAssertFalse(interface(r, "eth3").managed)
    }

    func testIMDSFailureIsUnknown() {
        let r = StatusEvaluator.evaluate(F.imdsUnreachable())
        XCTAssertEqual(r.verdict, .unknown)
        XCTAssertEqual(r.imdsState, .failed)
    }

    func testPendingENIIsUnknown() {
        var e = F.healthy()
        e.interfaces[1].metadata = .pending(.key(.deviceNumber))
        let r = StatusEvaluator.evaluate(e)
        XCTAssertEqual(r.verdict, .unknown)
        XCTAssertEqual(interface(r, "eth1").reasonCode?.rawValue, "not-propagated")
        XCTAssertEqual(interface(r, "eth1").fileState, .notChecked, "judged by its file on disk meanwhile")
    }

    func testExpectedStateFromARenderedFile() {
        let file = NetworkdFile(parsing: F.rendered(F.secondary, "eth1").contents)
        let x = ExpectedKernelState(file: file)
        XCTAssertEqual(x.table, 10001)
        XCTAssertEqual(x.metric, 513)
        XCTAssertEqual(x.items.map(\.description), [
            "route IPv4 default in table 10001",
            "route 10.0.0.0/24 in table 10001",
            "address 10.0.0.21/32",
            "address 10.0.0.22/32",
            "rule from 10.0.0.20/32 lookup 10001 priority 10001",
            "rule from 10.0.0.21/32 lookup 10001 priority 10001",
            "rule from 10.0.0.22/32 lookup 10001 priority 10001",
            "rule from 10.0.1.16/28 lookup 10001 priority 10001",
            "IPv4 default route in main, metric 513",
        ])
    }

    func testParsingARenderedFileGivesItBack() {
        for m in [F.primary, F.secondary] {
            let f = F.rendered(m, "ens5")
            XCTAssertEqual(NetworkdFile(parsing: f.contents).render(), f.contents)
        }
    }

    func testNoMainDefaultExpectedWithoutUseGateway() {
        var c = Configuration()
        c.secondaryDefaultRoutesInMain = false
        let f = NetworkdRenderer.render(F.secondary, interface: "eth1", configuration: c)[0]
        let x = ExpectedKernelState(file: NetworkdFile(parsing: f.contents))
        XCTAssertFalse(x.items.contains { $0.kind == "main-default" })
    }
}
