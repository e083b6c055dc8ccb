import XCTest
@testable import EC2NetSystem

/// The two roundings that replaced Double.rounded (which calls libm; the
/// Embedded release build links no libm): same results on the values they see.
final class RoundingTests: XCTestCase {
    func testPollMillisecondsRoundUp() {
        for seconds in [0.0000001, 0.001, 0.0015, 0.25, 1, 1.0004, 2.5, 59.9999, 60] {
            XCTAssertEqual(HTTPConnection.milliseconds(roundingUp: seconds),
                           Int32((seconds * 1000).rounded(.up)), "\(seconds)")
        }
    }

    func testWaitedSecondsRoundHalfUp() {
        for waited in [0.0, 0.49, 0.5, 0.51, 1.5, 2.4999, 5.5, 6.0, 169.5] {
            XCTAssertEqual(MetadataReadError.wholeSeconds(waited), Int(waited.rounded()), "\(waited)")
        }
    }
}
