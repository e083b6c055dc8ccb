import XCTest
@testable import EC2NetSystem

/// Upstream's set-hostname-imds, decided without side effects.
final class HostnameTests: XCTestCase {
    func testAStaticHostnameIsNeverChanged() {
        XCTAssertEqual(Hostname.decide(etcHostname: "web-1\n", imdsValue: "ip-10-0-0-10.ec2.internal"), .keepStatic)
    }

    func testMissingOrBlankEtcHostnameTakesIMDS() {
        XCTAssertEqual(Hostname.decide(etcHostname: nil, imdsValue: "ip-10-0-0-10.ec2.internal"), .set("ip-10-0-0-10.ec2.internal"))
        XCTAssertEqual(Hostname.decide(etcHostname: " \n", imdsValue: "ip-10-0-0-10.ec2.internal\n"), .set("ip-10-0-0-10.ec2.internal"))
    }

    /// bottlerocket #3032: local-hostname may hold several names.
    func testSeveralNamesUseTheFirst() {
        XCTAssertEqual(Hostname.decide(etcHostname: "", imdsValue: "ip-10-0-0-10.ec2.internal ip-10-0-0-10.example.com"),
                       .set("ip-10-0-0-10.ec2.internal"))
    }

    func testInvalidNamesAreRefused() {
        XCTAssertEqual(Hostname.decide(etcHostname: nil, imdsValue: "bad_name;reboot"), .invalid("bad_name;reboot"))
        XCTAssertEqual(Hostname.decide(etcHostname: nil, imdsValue: "-leading-dash"), .invalid("-leading-dash"))
        XCTAssertEqual(Hostname.decide(etcHostname: nil, imdsValue: ""), .invalid(""))
    }
}
