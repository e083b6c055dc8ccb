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

    /// Hand-written from StatusFixtures, checked before the golden files are
    /// compared or rewritten (GoldenKeyLines.swift says why): the verdict,
    /// the problems each fixture was built to show, and each ENI's table
    /// and metric.
    static let keyLines: [String: (txt: [String], json: [String])] = [
        "healthy": (["ec2net status: ok, 2 managed ENIs as expected",
                     "  managed: 05-ec2net-eth1.network up to date, table 10001, metric 513",
                     "  IPv4 default route: eth0 (02:00:00:00:00:10), metric 512, primary ENI"],
                    ["\"verdict\": \"ok\"", "\"exit_code\": 0"]),
        "drift": (["ec2net status: DRIFT, 5 problems", "  ! missing address 10.0.0.22/32",
                   "  ! missing rule from 10.0.0.21/32 lookup 10001 priority 10001",
                   "  ! IPv4 default traffic leaves by eth1, not by the primary ENI eth0"],
                  ["\"verdict\": \"drift\"", "\"exit_code\": 1", "\"table\": 10001", "\"metric\": 513"]),
        "no-imds": (["IMDS not read (--no-imds): the kernel is compared with the generated files",
                     "  managed: 05-ec2net-eth0.network (IMDS not read), table 10000, metric 512"],
                    ["\"exit_code\": 0"]),
        "imds-unreachable": (["ec2net status: CANNOT TELL, IMDS could not be read"],
                             ["\"verdict\": \"unknown\"", "\"exit_code\": 75"]),
    ]

    func testGoldenOutputs() throws {
        let update = GoldenTests.updateRequested()
        for (name, evidence) in StatusGoldenTests.cases {
            let report = StatusEvaluator.evaluate(evidence())
            let outputs = [
                ("txt", StatusTextRenderer(colour: false).render(report)),
                ("json", StatusJSONRenderer.render(report, exitCode: StatusGoldenTests.exitCode(report))),
            ]
            XCTAssertNotNil(StatusGoldenTests.keyLines[name], "\(name): no hand-written key lines")
            let key = StatusGoldenTests.keyLines[name]
            for (ext, actual) in outputs {
                for line in (ext == "txt" ? key?.txt : key?.json) ?? [] where !actual.contains(line) {
                    XCTFail("\(name).\(ext) lacks the key line: \(line)")
                }
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
