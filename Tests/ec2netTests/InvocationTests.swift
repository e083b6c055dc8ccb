import XCTest
@testable import ec2net

/// argv and environment parsing: the tool from argv[0] or the first word,
/// options, environment defaults, usage errors.
final class InvocationTests: XCTestCase {
    func parse(_ argv: [String], _ env: [String: String] = [:]) throws -> Invocation {
        try Invocation(argv: argv, environment: { env[$0] })
    }

    func testToolFromTheNameItWasStartedAs() throws {
        XCTAssertEqual(try parse(["/usr/libexec/ec2net/ec2-plug", "eth1"]).tool, .plug)
        XCTAssertEqual(try parse(["ec2-ifscan", "--refresh"]).tool, .ifscan)
        let i = try parse(["ec2net", "unplug", "eth1"])
        XCTAssertEqual(i.tool, .unplug)
        XCTAssertEqual(i.arguments, ["eth1"])
        XCTAssertThrowsError(try parse(["ec2net", "frobnicate"]))
    }

    func testOptionsAndEnvironment() throws {
        let i = try parse(["ec2-plug", "--root", "/tmp/r", "--imds", "http://127.0.0.1:8080", "--mac", "02:00:00:00:00:02",
                           "--no-altnames", "-v", "--device-number-timeout", "5", "eth1"],
                          ["EC2NET_SYSFS": "/tmp/sys", "EC2NET_CONFIG": "/tmp/c.conf"])
        XCTAssertEqual(i.root, "/tmp/r")
        XCTAssertEqual(i.imds, "http://127.0.0.1:8080")
        XCTAssertEqual(i.mac, "02:00:00:00:00:02")
        XCTAssertFalse(i.altNames)
        XCTAssertTrue(i.verbose)
        XCTAssertEqual(i.deviceNumberTimeout, 5)
        XCTAssertEqual(i.sysfs, "/tmp/sys")
        XCTAssertEqual(i.config, "/tmp/c.conf")
        XCTAssertEqual(i.arguments, ["eth1"])
        let scan = try parse(["ec2-ifscan", "--refresh", "--set-hostname", "--check-default-route"])
        XCTAssertTrue(scan.refresh && scan.setHostname && scan.checkDefaultRoute)
        XCTAssertTrue(try parse(["ec2-ifscan", "--hostname-only"]).hostnameOnly)
        XCTAssertEqual(try parse(["ec2-ifscan"], ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:9"]).imds, "http://[::1]:9")
    }

    func testUsageErrors() {
        XCTAssertThrowsError(try parse(["ec2-plug", "--bogus"]))
        XCTAssertThrowsError(try parse(["ec2-plug", "--hostname-only"]), "ec2-ifscan only")
        XCTAssertThrowsError(try parse(["ec2-plug", "--root"]))
        XCTAssertThrowsError(try parse(["ec2-plug", "--device-number-timeout", "999"]))
        XCTAssertThrowsError(try parse(["ec2-plug", "--device-number-timeout", "x"]))
    }
}
