import Foundation
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ec2-ifname against fakes: where the name comes from (map, IMDS, nothing)
/// and when it says nothing. IMDS is MetadataReaderTests' single-card tree.
final class NamingPipelineTests: PipelineTestCase {
    override class var secondaryName: String { "ens6" }

    func name(_ interface: String = "ens6", mac: String? = NamingPipelineTests.secondary) throws -> NamingPolicy.Decision? {
        NamingPipeline(context()).run(interface: interface, mac: try mac.map { try MACAddress(parsing: $0) })
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
