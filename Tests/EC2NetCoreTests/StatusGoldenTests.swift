import Foundation
import XCTest
@testable import EC2NetCore

/// Golden files for `ec2net status`: the human and the JSON output of the
/// fixed inputs in StatusFixtures, byte for byte, in StatusGolden/<case>.txt
/// and .json. `UPDATE_GOLDEN=1 swift test --filter StatusGoldenTests`
/// rewrites them; review the diff by eye before committing it.
final class StatusGoldenTests: XCTestCase {
    static let cases: [(String, @Sendable () -> StatusEvidence)] = [
        ("healthy", StatusFixtures.healthy),
        ("drift", StatusFixtures.drift),
        ("no-imds", StatusFixtures.withoutIMDS),
        ("imds-unreachable", StatusFixtures.imdsUnreachable),
    ]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("StatusGolden", isDirectory: true)
    }

    /// The exit code the command maps a verdict to (75: IMDS unreachable).
    static func exitCode(_ r: StatusReport) -> Int32 {
        switch r.verdict {
        case .ok: return 0
        case .drift: return 1
        case .unknown: return 75
        }
    }

    func testGoldenOutputs() throws {
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for (name, evidence) in StatusGoldenTests.cases {
            let report = StatusEvaluator.evaluate(evidence())
            let outputs = [
                ("txt", StatusTextRenderer(colour: false).render(report)),
                ("json", StatusJSONRenderer.render(report, exitCode: StatusGoldenTests.exitCode(report))),
            ]
            for (ext, actual) in outputs {
                let url = StatusGoldenTests.directory.appendingPathComponent("\(name).\(ext)")
                if update {
                    try FileManager.default.createDirectory(at: StatusGoldenTests.directory, withIntermediateDirectories: true)
                    try Data(actual.utf8).write(to: url)
                    continue
                }
                let expected = String(decoding: try Data(contentsOf: url), as: UTF8.self)
                if actual != expected {
                    XCTFail("\(name).\(ext) differs:\n\(GoldenTests.firstDifference(Array(expected.utf8), Array(actual.utf8)))")
                }
            }
        }
    }

    func testHumanOutputFitsEightyColumns() {
        for (name, evidence) in StatusGoldenTests.cases {
            for line in StatusTextRenderer(colour: false).render(StatusEvaluator.evaluate(evidence())).split(separator: "\n") {
                XCTAssertLessThanOrEqual(line.count, 80, "\(name): \(line)")
            }
        }
    }

    func testColourOnlyWhenAsked() {
        let report = StatusEvaluator.evaluate(StatusFixtures.drift())
        XCTAssertFalse(StatusTextRenderer(colour: false).render(report).contains("\u{1B}["))
        let coloured = StatusTextRenderer(colour: true).render(report)
        XCTAssertTrue(coloured.contains("\u{1B}[31m! eth1"))
        // Stripped of its escapes, the coloured output is the plain one.
        let plain = coloured.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
            .replacingOccurrences(of: "\u{1B}[32m", with: "").replacingOccurrences(of: "\u{1B}[33m", with: "")
        XCTAssertEqual(plain, StatusTextRenderer(colour: false).render(report))
    }

    func testJSONEscapesUntrustedText() {
        let v = JSONValue.object([("a", .string("x\"y\\z\n\u{01}é"))])
        XCTAssertEqual(v.render(), "{\n  \"a\": \"x\\\"y\\\\z\\n\\u0001é\"\n}\n")
        XCTAssertEqual(JSONValue.array([]).render(), "[]\n")
    }
}
