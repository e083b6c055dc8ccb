import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ec2-plug against fakes: one interface (eth1, the secondary ENI of
/// MetadataReaderTests' single-card IMDS), what it writes, how many reloads
/// it asks for, what it logs, and which errors it hands to the caller.
final class PlugPipelineTests: PipelineTestCase {
    func plug(_ interface: String = "eth1", mac: String? = PlugPipelineTests.secondary, isENI: Bool = true) throws -> PlugPipeline.Result {
        try PlugPipeline(context()).run(interface: interface, mac: try mac.map { try MACAddress(parsing: $0) }, isENI: isENI)
    }

    var eth1: String { host.paths.networkdRuntime + "/05-ec2net-eth1.network" }

    func testConfiguresThenIsUpToDate() throws {
        XCTAssertEqual(try plug(), .done(.configured(written: ["05-ec2net-eth1.network"], removed: [])))
        XCTAssertEqual(host.generated, ["05-ec2net-eth1.network"])
        XCTAssertTrue(try String(contentsOfFile: eth1, encoding: .utf8).contains("Table=10001"))
        XCTAssertEqual(reloader.count, 1)
        XCTAssertEqual(clock.sleeps, [], "no propagation wait")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: eth1))
        XCTAssertEqual(try plug(), .done(.unchanged))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: eth1)), bytes)
        XCTAssertEqual(reloader.count, 1, "unchanged files ask for no reload")
    }

    /// Hot-plug (PipelineTestCase.secondaryNotPropagated).
    func testWaitsForADeviceNumberThatPropagatesLate() throws {
        secondaryPropagates(atPoll: 3)
        XCTAssertEqual(try plug(), .done(.configured(written: ["05-ec2net-eth1.network"], removed: [])))
        XCTAssertTrue(try String(contentsOfFile: eth1, encoding: .utf8).contains("Table=10001"))
        XCTAssertEqual(reloader.count, 1)
        XCTAssertFalse(clock.sleeps.isEmpty)
    }

    func testNeverPropagatedIsHandedToTheCallerWithNothingWritten() throws {
        secondaryNotPropagated()
        XCTAssertThrowsError(try plug()) { error in
            guard case .metadata(.notPropagated(let mac, _, _))? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(mac.description, Self.secondary)
        }
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
    }

    func testGoneWhileWaitingWritesNothing() throws {
        secondaryNotPropagated()
        // Detached while propagating: the metadata arrives, the link is gone.
        clock.onSleep = { [unowned self] _ in
            try? host.removeLink("eth1")
            propagateSecondary()
        }
        XCTAssertEqual(try plug(), .goneWhileWaiting)
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
        XCTAssertTrue(log.contains("gone while its metadata propagated; nothing written"), "\(log.lines)")
    }

    /// An invalid value (text that would inject a section) is refused; the
    /// command maps .metadata(.invalid) to exit 65 (ExitCodeTests).
    func testRefusesInvalidMetadata() throws {
        source.values["network/interfaces/macs/\(Self.secondary)/local-ipv4s"] = "10.0.0.20\n[Match]"
        XCTAssertThrowsError(try plug()) { error in
            guard case .metadata(.invalid)? = error as? PipelineError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
    }

    func testGoneBeforeItsMACCouldBeRead() throws {
        XCTAssertEqual(try plug(mac: nil), .gone)
        XCTAssertTrue(log.contains("eth1: gone before it could be configured"), "\(log.lines)")
        XCTAssertEqual(reloader.count, 0)
    }

    func testNotAnENIIsLeftAlone() throws {
        XCTAssertEqual(try plug(isENI: false), .notAnENI(driver: nil))
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
    }

    func testAnAdminFileClaimsTheInterface() throws {
        try Directory.makePath(host.paths.adminNetworkd)
        try writeText(host.paths.adminNetworkd + "/10-eth1.network", "[Match]\nName=eth1\n\n[Network]\nDHCP=yes\n")
        guard case .done(.adminOwned(let file, let removed)) = try plug() else { return XCTFail("\(log.lines)") }
        XCTAssertTrue(file.hasSuffix("10-eth1.network"), file)
        XCTAssertEqual(removed, [])
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
    }

    /// Excluded after it was configured: its file goes, with one reload.
    func testAnExcludedInterfaceLosesItsConfig() throws {
        XCTAssertEqual(try plug(), .done(.configured(written: ["05-ec2net-eth1.network"], removed: [])))
        configuration.exclude = [try ExclusionRule(parsing: Substring(Self.secondary))]
        guard case .done(.excluded(_, let removed)) = try plug() else { return XCTFail("\(log.lines)") }
        XCTAssertEqual(removed, ["05-ec2net-eth1.network"])
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 2)
    }

    func testManageNoneIsInert() throws {
        configuration.manage = .none
        XCTAssertEqual(try plug(), .done(.inert))
        XCTAssertEqual(host.generated, [])
        XCTAssertEqual(reloader.count, 0)
        XCTAssertEqual(clock.sleeps, [])
    }
}

/// The run's one netlink channel (issue 25): opened only once a plug knows
/// the interface is ec2net's, at most once a run, and a failed open says so
/// once per step it disables. The kernel is HostKernel over a counting
/// opener; the rest is PlugPipelineTests' fakes.
final class NetlinkChannelPerRunTests: PipelineTestCase {
    let opened = AcknowledgingTransport.Opened()

    override func setUpWithError() throws {
        try super.setUpWithError()
        kernel = HostKernel(altNames: true, log: log, opener: opened.opener())
    }

    func plug(isENI: Bool = true) throws -> PlugPipeline.Result {
        try PlugPipeline(context()).run(interface: "eth1", mac: try MACAddress(parsing: Self.secondary), isENI: isENI)
    }

    func testAPlugThatLeavesItsInterfaceAloneOpensNone() throws {
        XCTAssertEqual(try plug(isENI: false), .notAnENI(driver: nil))
        configuration.exclude = [try ExclusionRule(parsing: Substring(Self.secondary))]
        guard case .done(.excluded(_, let removed)) = try plug() else { return XCTFail("\(log.lines)") }
        XCTAssertEqual(removed, [])
        configuration = Configuration()
        configuration.manage = .none
        XCTAssertEqual(try plug(), .done(.inert))
        XCTAssertEqual(opened.count, 0)
    }

    /// Altnames, then the stale-rule pass over the rules just recorded: one channel.
    func testAManagedPlugOpensOne() throws {
        XCTAssertEqual(try plug(), .done(.configured(written: ["05-ec2net-eth1.network"], removed: [])))
        XCTAssertEqual(opened.count, 1)
    }

    /// An admin file to match against: the link identity is read over the same channel.
    func testAManagedPlugReadingItsLinkIdentityStillOpensOne() throws {
        try Directory.makePath(host.paths.adminNetworkd)
        try writeText(host.paths.adminNetworkd + "/10-eth9.network", "[Match]\nName=eth9\n\n[Network]\nDHCP=yes\n")
        XCTAssertEqual(try plug(), .done(.configured(written: ["05-ec2net-eth1.network"], removed: [])))
        XCTAssertEqual(opened.count, 1)
    }

    func testAScanOfTwoENIsOpensOne() throws {
        XCTAssertTrue(try ScanPipeline(context(), devices: FixedDevices(devices: devices)).run(.init()).failures.isEmpty)
        XCTAssertEqual(host.generated, ["05-ec2net-eth0.network", "05-ec2net-eth1.network"])
        XCTAssertEqual(opened.count, 1)
    }

    func testAFailedOpenIsTriedOnceAndLoggedOncePerStep() throws {
        kernel = HostKernel(altNames: true, log: log, opener: opened.opener(failing: .socket(errno: EPROTONOSUPPORT)))
        XCTAssertTrue(try ScanPipeline(context(), devices: FixedDevices(devices: devices)).run(.init()).failures.isEmpty)
        XCTAssertEqual(opened.count, 1)
        XCTAssertEqual(log.lines.filter { $0.1.hasPrefix("altnames disabled: rtnetlink socket") }.count, 1, "\(log.lines)")
        XCTAssertEqual(log.lines.filter { $0.1.hasPrefix("stale rule cleanup disabled: rtnetlink socket") }.count, 1, "\(log.lines)")
    }

    /// A channel that did not open is not "no kernel evidence": the
    /// identity an admin's `[Match]` is judged against cannot be read.
    func testAFailedOpenFailsEveryLinkIdentityRead() throws {
        kernel = HostKernel(altNames: true, log: log, opener: opened.opener(failing: .socket(errno: EPROTONOSUPPORT)))
        let reader = context().kernel.linkIdentities(sysfs: host.sysfs, paths: host.paths)
        XCTAssertThrowsError(try reader.identity(of: "eth1")) { error in
            XCTAssertEqual(error as? FileError, .operation("socket", path: "rtnetlink", errno: EPROTONOSUPPORT))
        }
        XCTAssertEqual(opened.count, 1)
    }
}
