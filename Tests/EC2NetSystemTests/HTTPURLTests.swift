import XCTest
@testable import EC2NetSystem

final class HTTPURLTests: XCTestCase {
    func testParsesIMDSEndpoints() throws {
        let v4 = try HTTPURL(parsing: "http://169.254.169.254")
        XCTAssertEqual(v4.host, "169.254.169.254")
        XCTAssertEqual(v4.port, 80)
        XCTAssertEqual(v4.basePath, "")
        XCTAssertEqual(v4.authority, "169.254.169.254")

        let v6 = try HTTPURL(parsing: "http://[fd00:ec2::254]")
        XCTAssertEqual(v6.host, "fd00:ec2::254")
        XCTAssertEqual(v6.authority, "[fd00:ec2::254]")
        XCTAssertEqual(v6.description, "http://[fd00:ec2::254]")

        let mock = try HTTPURL(parsing: "http://127.0.0.1:1338/prefix/")
        XCTAssertEqual(mock.port, 1338)
        XCTAssertEqual(mock.basePath, "/prefix")
        XCTAssertEqual(mock.authority, "127.0.0.1:1338")

        let v6port = try HTTPURL(parsing: "http://[::1]:8080")
        XCTAssertEqual(v6port.host, "::1")
        XCTAssertEqual(v6port.authority, "[::1]:8080")
    }

    func testRejects() {
        for text in ["https://169.254.169.254", "169.254.169.254", "http://", "http://:80", "http://host:0", "http://host:65536",
                     "http://host:x", "http://[::1", "http://[::1]x", "http://host name", "http://host\r\nX: y", "ftp://host"] {
            XCTAssertThrowsError(try HTTPURL(parsing: text), text) { XCTAssertEqual($0 as? HTTPError, .invalidURL(text)) }
        }
    }
}
