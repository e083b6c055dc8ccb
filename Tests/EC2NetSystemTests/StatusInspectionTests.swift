import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// StatusInspection against fakes: IMDS as a dictionary, a fixed kernel
/// snapshot, a fixed device list and a temporary root. It joins by MAC,
/// honours the IFACE filter and --no-imds, and writes nothing.
final class StatusInspectionTests: XCTestCase {
    final class FixedDevices: DeviceEnumerator {
        let devices: [NetworkDevice]
        init(_ devices: [NetworkDevice]) { self.devices = devices }
        func enumerate() -> [NetworkDevice] { devices }
    }

    final class FixedKernel: KernelStateReader {
        var state = KernelSnapshot()
        private(set) var reads = 0
        func snapshot() throws(NetlinkError) -> KernelSnapshot { reads += 1; return state }
    }

    let primary = try! MACAddress(parsing: MetadataReaderTests.primary)
    let secondary = try! MACAddress(parsing: MetadataReaderTests.secondary)

    func inspection(root: String, imds: DictionarySource?, kernel: FixedKernel = FixedKernel()) -> StatusInspection {
        let devices = FixedDevices([NetworkDevice(name: "ens5", mac: primary, driver: "ena"),
                                    NetworkDevice(name: "ens6", mac: secondary, driver: "ena")])
        return StatusInspection(configuration: Configuration(), paths: Paths(root: root), devices: devices,
                                metadata: imds.map { MetadataReader(source: $0, clock: FakeClock()) }, kernel: kernel,
                                otherManagers: nil)
    }

    func testJoinsDevicesIMDSFilesAndTheMapByMAC() throws {
        let root = try makeTemporaryDirectory(self)
        let imds = DictionarySource(MetadataReaderTests.singleCard())
        let m = try MetadataReader(source: imds, clock: FakeClock()).read(mac: secondary, timeout: 0)
        let file = NetworkdRenderer.render(m, interface: "ens6", configuration: Configuration())[0]
        try Directory.makePath(root + "/run/systemd/network")
        try writeText(root + "/run/systemd/network/" + file.name, file.contents)
        try Directory.makePath(root + "/var/lib/ec2net")
        try writeText(root + "/var/lib/ec2net/interfaces", "\(secondary) device=1 card=0\n")

        let kernel = FixedKernel()
        let result = try inspection(root: root, imds: imds, kernel: kernel).gather()
        XCTAssertNil(result.imdsError)
        XCTAssertEqual(result.evidence.imds, .read(primaryMAC: primary))
        XCTAssertEqual(result.evidence.interfaces.map(\.name), ["ens5", "ens6"])
        let ens6 = result.evidence.interfaces[1]
        XCTAssertEqual(ens6.generatedFiles, [file])
        XCTAssertEqual(ens6.mapEntry?.index.device, 1)
        XCTAssertEqual(ens6.metadata, .ready(m))
        XCTAssertEqual(kernel.reads, 1)
        XCTAssertEqual(imds.requested.filter { $0.hasPrefix("network/interfaces/macs/\(primary)") }.isEmpty, false)
    }

    func testNoIMDSAndNothingWritten() throws {
        let root = try makeTemporaryDirectory(self)
        let result = try inspection(root: root, imds: nil).gather()
        XCTAssertEqual(result.evidence.imds, .skipped)
        XCTAssertEqual(result.evidence.interfaces.map(\.name), ["ens5", "ens6"])
        XCTAssertEqual(result.evidence.interfaces[0].metadata, .notRead)
        XCTAssertTrue(result.evidence.interfaces[1].isCalled("ens6"))
        // No directory, lock or map was created under the root.
        XCTAssertEqual(try Directory(path: root, create: false).entries(), [])
    }

    func testIMDSFailureIsKeptForTheExitCode() throws {
        let root = try makeTemporaryDirectory(self)
        let imds = DictionarySource([:])
        imds.failure = .unreachable("cannot connect")
        let result = try inspection(root: root, imds: imds).gather()
        guard case .imds(.unreachable)? = result.imdsError else { return XCTFail("\(String(describing: result.imdsError))") }
        XCTAssertEqual(result.evidence.imds, .failed("IMDS unreachable: cannot connect"))
        XCTAssertTrue(result.evidence.interfaces.allSatisfy { $0.metadata == .notRead })
    }
}
