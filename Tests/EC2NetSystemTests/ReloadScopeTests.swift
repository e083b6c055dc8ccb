import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// ReloadScope finishes the coordination on every path: a run that another
/// deferred its reload to must reload even when it then fails.
final class ReloadScopeTests: XCTestCase {
    func testAReloadDeferredToARunThatThrowsStillHappens() throws {
        let paths = Paths(root: try makeTemporaryDirectory(self))
        let reloader = CountingReloader()
        let log = RecordingLog()
        let failure = PipelineError.metadata(.imds(.unreachable("test")))
        XCTAssertThrowsError(try ReloadScope.run(paths: paths, lockDeadline: nil, reloader: reloader, log: log) {
            _ throws(PipelineError) in
            // While this run works, another changes files and finishes: it defers.
            try ReloadScope.run(paths: paths, lockDeadline: nil, reloader: reloader, log: log) { other throws(PipelineError) in
                try other.filesChanged()
            }
            XCTAssertEqual(reloader.count, 0)
            XCTAssertTrue(log.contains("deferred"))
            throw failure
        })
        XCTAssertEqual(reloader.count, 1, "the failing run reloaded on its way out")
    }

    func testNothingChangedNoReload() throws {
        let paths = Paths(root: try makeTemporaryDirectory(self))
        let reloader = CountingReloader()
        try ReloadScope.run(paths: paths, lockDeadline: nil, reloader: reloader, log: RecordingLog()) { _ throws(PipelineError) in }
        XCTAssertEqual(reloader.count, 0)
    }
}
