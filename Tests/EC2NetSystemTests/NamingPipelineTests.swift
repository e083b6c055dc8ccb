import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ec2-ifname against fakes: where the name comes from (map, IMDS, nothing)
/// and when it says nothing. IMDS is MetadataReaderTests' single-card tree.
final class NamingPipelineTests: XCTestCase {
    static let secondary = MetadataReaderTests.secondary

    var host: FakeHost!
    var source: DictionarySource!
    var clock: FakeClock!
    var log: RecordingLog!
    var configuration = Configuration()

    override func setUpWithError() throws {
        host = try FakeHost(self)
        source = DictionarySource(MetadataReaderTests.singleCard())
        clock = FakeClock()
        log = RecordingLog()
        try host.addLink("eth0", mac: MetadataReaderTests.primary)
        try host.addLink("ens6", mac: Self.secondary)
    }

    func name(_ interface: String = "ens6", mac: String? = NamingPipelineTests.secondary) throws -> NamingPolicy.Decision? {
        NamingPipeline(configuration: configuration, paths: host.paths, sysfs: host.sysfs,
                       metadata: MetadataReader(source: source, clock: clock), log: log)
            .run(interface: interface, mac: try mac.map { try MACAddress(parsing: $0) })
    }

    func testDeviceIndexNameFromIMDS() throws {
        configuration.namingMode = .deviceIndex
        let decision = try XCTUnwrap(try name())
        XCTAssertEqual(decision.name, "eth1")
        XCTAssertTrue(log.contains("ens6 (\(Self.secondary)): name eth1 from IMDS"), "\(log.lines)")
    }

    func testKeepModeKeepsTheName() throws {
        let decision = try XCTUnwrap(try name())
        XCTAssertNil(decision.name)
        XCTAssertTrue(log.contains("name kept from IMDS"), "\(log.lines)")
    }

    /// IMDS unreachable (here: its answers missing) within the deadline:
    /// decide without, so udev keeps its own name.
    func testWithoutIMDSUdevKeepsItsName() throws {
        configuration.namingMode = .deviceIndex
        source = DictionarySource([:])
        let decision = try XCTUnwrap(try name())
        XCTAssertNil(decision.name)
        XCTAssertTrue(log.contains("from nothing ("), "\(log.lines)")
    }

    func testSaysNothingWhenOffInertOrWithoutMAC() throws {
        configuration.namingMode = .off
        XCTAssertNil(try name())
        configuration = Configuration()
        configuration.manage = .none
        XCTAssertNil(try name())
        configuration = Configuration()
        XCTAssertNil(try name(mac: nil))
        XCTAssertEqual(log.lines.count, 0)
    }
}
