import XCTest
@testable import EC2NetCore

/// Hand-written, apart from the golden files: every generated file keeps the
/// DHCP lease's address and routes across a reconfigure. Without it networkd
/// 252 drops them on every reload that changes the file, and traffic from
/// addresses the change does not touch is lost for one DHCP exchange
/// (Tests/e2e/test_vpc_enforcement.py measured 1 of ~20 probes at 50 ms,
/// the request leaving by the primary ENI and dropped by the source/destination check).
final class KeepConfigurationTests: XCTestCase {
    func testEveryFileKeepsDHCPConfigurationOnReconfigure() throws {
        let primary = InterfaceMetadata(mac: try MACAddress(parsing: "02:ab:00:00:00:01"), isPrimary: true,
                                        index: try DeviceIndex(card: 0, device: 0),
                                        ipv4Addresses: [try IPv4Address(parsing: "10.0.0.10")])
        let secondary = InterfaceMetadata(mac: try MACAddress(parsing: "02:ab:00:00:00:02"), isPrimary: false,
                                          index: try DeviceIndex(card: 0, device: 1),
                                          ipv4Addresses: [try IPv4Address(parsing: "10.0.0.20"), try IPv4Address(parsing: "10.0.0.21")])
        for m in [primary, secondary] {
            let contents = NetworkdRenderer.render(m, interface: "ens6", configuration: Configuration())[0].contents
            let network = try XCTUnwrap(contents.range(of: "[Network]\n"))
            let section = contents[network.upperBound...].prefix { $0 != "[" }
            XCTAssertTrue(section.contains("KeepConfiguration=dhcp\n"), contents)
        }
    }
}
