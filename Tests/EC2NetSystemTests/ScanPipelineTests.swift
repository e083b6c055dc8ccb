import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// The scan loop (ec2-ifscan) against fakes: which ENIs it configures,
/// waits for, reports and removes, how many reloads it asks for, and which
/// kernel collaborators it uses.
final class ScanPipelineTests: PipelineTestCase {
    var enumerator: DeviceEnumerator? = nil

    func scan(_ options: ScanPipeline.Options = .init(), configuration: Configuration = Configuration()) throws -> ScanPipeline.Report {
        try ScanPipeline(context(configuration), devices: enumerator ?? FixedDevices(devices: devices)).run(options)
    }

    func testConfiguresEveryENIWithOneReload() throws {
        let report = try scan()
        XCTAssertTrue(report.failures.isEmpty, "\(report.failures)")
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network", "05-ec2net-eth1.network"])
        XCTAssertEqual(reloader.count, 1)
        XCTAssertEqual(clock.sleeps, [], "no propagation wait, no fixed wait")
        // A second scan changes nothing and does not reload.
        XCTAssertTrue(try scan().failures.isEmpty)
        XCTAssertEqual(reloader.count, 1)
    }

    func testBootScanWaitsForAPropagatingDeviceNumber() throws {
        secondaryPropagates(atPoll: 3)
        let report = try scan()
        XCTAssertTrue(report.failures.isEmpty, "\(report.failures)")
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network", "05-ec2net-eth1.network"])
        XCTAssertTrue(try String(contentsOfFile: host.paths.networkdRuntime + "/05-ec2net-eth1.network", encoding: .utf8)
            .contains("Table=10001"))
    }

    func testRefreshDoesNotWaitAndReportsThePendingENI() throws {
        secondaryNotPropagated()
        let report = try scan(.init(refresh: true))
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network"])
        guard case .metadata(.notPropagated(let mac, _, _))? = report.failures.first else {
            return XCTFail("\(report.failures)")
        }
        XCTAssertEqual(mac.description, Self.secondary)
        XCTAssertEqual(clock.sleeps, [], "a refresh never waits")
    }

    func testForbiddenStopsTheScanWithoutTouchingAnything() throws {
        _ = try scan()
        let before = host.generated
        source.failure = .forbidden(path: "/latest/api/token")
        let report = try scan(.init(refresh: true))
        XCTAssertTrue(report.forbidden)
        XCTAssertEqual(report.failures.count, 1, "stops at the first 403")
        XCTAssertEqual(host.generated, before)
        XCTAssertEqual(reloader.count, 1, "only the first scan reloaded")
    }

    func testAnIMDSErrorNeverRemovesConfigButAGoneInterfaceDoes() throws {
        _ = try scan()
        source.failure = .unreachable("test")
        XCTAssertFalse(try scan(.init(refresh: true)).failures.isEmpty)
        XCTAssertEqual(host.generated.count, 2)
        source.failure = nil
        devices.removeLast()
        try host.removeLink("eth1")
        XCTAssertTrue(try scan(.init(refresh: true)).failures.isEmpty)
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network"])
        XCTAssertEqual(reloader.count, 2)
    }

    /// Issue 21: a device list that cannot be taken is no list; the
    /// gone-interface pass removes nothing on it.
    func testAnUnreadableDeviceListRemovesNothing() throws {
        _ = try scan()
        let before = host.generated
        enumerator = FailingDevices()
        XCTAssertThrowsError(try scan(.init(refresh: true))) { error in
            guard case .sysfs(.unreadable)? = error as? PipelineError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(host.generated, before)
        XCTAssertEqual(reloader.count, 1, "only the first scan reloaded")
    }

    /// Removal fails closed: a MAC missing from the scan's list but on an
    /// interface in sysfs when its lock is held keeps its config.
    func testRemovalRechecksSysfsUnderTheLock() throws {
        _ = try scan()
        devices.removeLast()  // the list misses eth1, sysfs still has it
        XCTAssertTrue(try scan(.init(refresh: true)).failures.isEmpty)
        XCTAssertEqual(host.generated.count, 2)
        XCTAssertTrue(log.contains("the MAC is on eth1; its config stays"))
        XCTAssertEqual(reloader.count, 1)
    }

    /// Issue 21, row 3: eth0's file is written, then eth1's name holds a
    /// foreign file: the scan fails (73) and still reloads eth0's change.
    func testAScanThatFailsMidwayReloadsWhatItChanged() throws {
        try writeText(host.paths.networkdRuntime + "/05-ec2net-eth1.network", "[Match]\nName=eth1\n")
        XCTAssertThrowsError(try scan()) { error in
            guard case .file(.foreign)? = error as? PipelineError else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(host.generated.contains("05-ec2net-eth0.network"))
        XCTAssertEqual(reloader.count, 1)
        XCTAssertNil(fileStat(host.paths.runtime + "/reload-pending"))
    }

    /// A failed reload is the scan's error and stays pending; the next scan,
    /// which changes nothing, performs it.
    func testAFailedReloadIsAnErrorAndTheNextScanReloads() throws {
        reloader.failure = .failed("/usr/bin/networkctl", status: 256)
        XCTAssertThrowsError(try scan()) { error in
            guard case .reload(.failed)? = error as? PipelineError else { return XCTFail("\(error)") }
        }
        XCTAssertNotNil(fileStat(host.paths.runtime + "/reload-pending"))
        reloader.failure = nil
        XCTAssertTrue(try scan(.init(refresh: true)).failures.isEmpty)
        XCTAssertTrue(log.contains("config up to date"))
        XCTAssertEqual(reloader.count, 2)
        XCTAssertNil(fileStat(host.paths.runtime + "/reload-pending"))
    }

    func testManageNoneDoesNothingAtAll() throws {
        _ = try scan()
        devices.removeLast()
        rules.held = [PolicyRule(source: "10.9.9.9", table: 10001)!]
        var c = Configuration()
        c.manage = .none
        let report = try scan(.init(setHostname: true, checkDefaultRoute: true), configuration: c)
        XCTAssertTrue(report.failures.isEmpty)
        XCTAssertEqual(host.generated.count, 2, "the gone interface's file stays")
        XCTAssertEqual(rules.deleted, [])
        XCTAssertEqual(hostname.set, [])
        XCTAssertEqual(reloader.count, 1, "only the first scan reloaded")
    }

    func testStaleRulesGoAndWantedRulesStay() throws {
        let wanted = PolicyRule(source: "10.0.0.20", table: 10001)!
        let stale = PolicyRule(source: "10.0.0.99", table: 10001)!
        let foreign = PolicyRule(source: "10.0.0.98", table: 10001)!
        rules.held = [wanted, stale, foreign]
        // An earlier file asked for 10.0.0.99; nothing of ec2net's ever asked for 10.0.0.98.
        try RuleLedger(paths: host.paths).record([GeneratedFile(name: "05-ec2net-eth1.network", contents:
            "[RoutingPolicyRule]\nFrom=10.0.0.99\nPriority=10001\nTable=10001\n")])
        _ = try scan()
        XCTAssertEqual(rules.deleted, [stale])
        XCTAssertTrue(log.contains("removed stale rule \(stale)"))
    }

    func testDefaultRouteThroughASecondaryAsksForAReload() throws {
        _ = try scan()
        routes.routes[.ipv4] = PreferredDefaultRoute(interface: "eth1", metric: 513)
        _ = try scan(.init(refresh: true, checkDefaultRoute: true))
        XCTAssertEqual(reloader.count, 2)
        XCTAssertTrue(log.problems.contains { $0.contains("not the primary ENI \(Self.primary)") }, "\(log.problems)")
        routes.routes[.ipv4] = PreferredDefaultRoute(interface: "eth0", metric: 512)
        _ = try scan(.init(refresh: true, checkDefaultRoute: true))
        XCTAssertEqual(reloader.count, 2)
    }

    /// Issue 16: at boot the scan's own reload makes the primary's route
    /// win a moment later; the check judges that state, not the one before.
    func testDefaultRouteCheckWaitsForTheScansOwnReload() throws {
        routes.routes[.ipv4] = PreferredDefaultRoute(interface: "eth1", metric: 1024)
        var sleeps = 0
        clock.onSleep = { [unowned self] _ in
            sleeps += 1
            if sleeps == 4 { routes.routes[.ipv4] = PreferredDefaultRoute(interface: "eth0", metric: 512) }
        }
        _ = try scan(.init(checkDefaultRoute: true))
        XCTAssertEqual(reloader.count, 1, "only the scan's own reload")
        XCTAssertEqual(log.problems, [])
        XCTAssertTrue(log.contains("IPv4 default leaves through eth0"))
    }

    func testHostnameOnlyWhenTheAdminSetNone() throws {
        source.values["local-hostname"] = "ip-10-0-0-10.ec2.internal other-name"
        _ = try scan(.init(setHostname: true))
        XCTAssertEqual(hostname.set, ["ip-10-0-0-10.ec2.internal"])
        try Directory.makePath(host.paths.root + "/etc")
        try writeText(host.paths.hostnameFile, "web-1\n")
        _ = try scan(.init(setHostname: true))
        XCTAssertEqual(hostname.set.count, 1, "a static hostname is never changed")
    }

    /// README "Interface names": an interface on a temporary name is not
    /// configured until it has its final name (ManagementDecision, the same
    /// for the scan as for ec2-plug).
    func testAParkedInterfaceIsLeftToTheRename() throws {
        var c = Configuration()
        c.namingMode = .deviceIndex
        let parked = NamingPolicy.temporaryName(for: try MACAddress(parsing: Self.secondary))
        try host.removeLink("eth1")
        try host.addLink(parked, mac: Self.secondary)
        devices = [try host.device("eth0", Self.primary), try host.device(parked, Self.secondary)]
        _ = try scan(configuration: c)
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network"])
        XCTAssertTrue(log.contains("\(parked) (\(Self.secondary)): on a temporary name"), "\(log.lines.map(\.1))")
    }

    /// NixOS-style /etc links /etc/hostname (issue 20): the admin's hostname
    /// is read through the link and wins; a link to an empty file is none.
    func testASymlinkedEtcHostnameIsReadThroughTheLink() throws {
        source.values["local-hostname"] = "ip-10-0-0-10.ec2.internal"
        try Directory.makePath(host.paths.root + "/etc")
        try writeText(host.root + "/hostname.static", "web-1\n")
        try writeText(host.root + "/hostname.empty", "")
        try FileManager.default.createSymbolicLink(atPath: host.paths.hostnameFile, withDestinationPath: host.root + "/hostname.static")
        _ = try scan(.init(setHostname: true))
        XCTAssertEqual(hostname.set, [], "the admin's hostname behind the link wins")
        XCTAssertTrue(log.contains("sets a static hostname"))
        try FileManager.default.removeItem(atPath: host.paths.hostnameFile)
        try FileManager.default.createSymbolicLink(atPath: host.paths.hostnameFile, withDestinationPath: host.root + "/hostname.empty")
        _ = try scan(.init(setHostname: true))
        XCTAssertEqual(hostname.set, ["ip-10-0-0-10.ec2.internal"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.root + "/hostname.empty"))
        XCTAssertEqual(try String(contentsOfFile: host.root + "/hostname.empty", encoding: .utf8), "", "never written through")
    }

    /// Unreadable is not "none": the admin's hostname may be in it.
    func testAnUnreadableEtcHostnameSetsNothing() throws {
        source.values["local-hostname"] = "ip-10-0-0-10.ec2.internal"
        try Directory.makePath(host.paths.hostnameFile)
        _ = try scan(.init(setHostname: true))
        XCTAssertEqual(hostname.set, [])
        XCTAssertTrue(log.problems.contains { $0.contains(host.paths.hostnameFile) && $0.contains("EISDIR") }, "\(log.problems)")
    }
}
