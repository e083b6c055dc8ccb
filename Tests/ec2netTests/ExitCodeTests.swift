import Foundation
import XCTest
@testable import ec2net
@testable import EC2NetCore
@testable import EC2NetSystem

/// The exit codes: every error maps to one (ExitCode.of has no default
/// branch, so a new error case does not compile until it is mapped), and
/// the README's table says exactly what the enum says.
final class ExitCodeTests: XCTestCase {
    func testErrorsMapToTheirCodes() throws {
        let mac = try MACAddress(parsing: "02:00:00:00:00:02")
        let cases: [(PipelineError, ExitCode)] = [
            (.metadata(.imds(.unreachable("down"))), .tryLater),
            (.metadata(.imds(.status(503, path: "/"))), .tryLater),
            (.metadata(.notPropagated(mac, what: "device-number", waited: 20)), .tryLater),
            (.metadata(.imds(.forbidden(path: "/"))), .imdsForbidden),
            (.metadata(.imds(.tokenRefused(status: 404))), .imdsProtocol),
            (.metadata(.imds(.notText(path: "/"))), .imdsProtocol),
            (.metadata(.invalid(.missing(key: "mac"))), .badMetadata),
            (.file(.foreign(path: "/run/x")), .cannotWrite),
            (.configuration(.operation("read", path: "/etc/x", errno: 2)), .configuration),
            // A MAC in sysfs that does not parse is not "try later".
            (.interfaceState(interface: "eth1", .invalidMAC("zz")), .software),
        ]
        for (error, code) in cases {
            XCTAssertEqual(ExitCode.of(error), code, "\(error)")
            XCTAssertEqual(ExitCode.of(CommandError.pipeline(error)), code)
        }
        XCTAssertEqual(ExitCode.of(CommandError.usage(UsageError(description: "x"))), .usage)
    }

    func testNewErrorsOfIssue21MapToTheirCodes() {
        XCTAssertEqual(ExitCode.of(PipelineError.sysfs(.unreadable(.operation("open", path: "/sys/class/net", errno: 13)))), .ioError)
        XCTAssertEqual(ExitCode.of(PipelineError.sysfs(.badMAC(interface: "eth1", .invalidMAC("zz")))), .software)
        XCTAssertEqual(ExitCode.of(PipelineError.reload(.failed("/usr/bin/networkctl", status: 256))), .osError)
        // The run's deadline: a lock still held is "try later" (another run
        // works and reloads); networkctl killed at it is a failed reload.
        XCTAssertEqual(ExitCode.of(PipelineError.file(.lockTimedOut(path: "/run/ec2net/lock-020000000002"))), .tryLater)
        XCTAssertEqual(ExitCode.of(PipelineError.reload(.lock(.lockTimedOut(path: "/run/ec2net/active.lock")))), .tryLater)
        XCTAssertEqual(ExitCode.of(PipelineError.reload(.timedOut("/usr/bin/networkctl"))), .osError)
    }

    /// Issue 21: one ENI refused (65), another "try later" (75): 65, although
    /// 75 is the larger number (and the unit's SuccessExitStatus).
    func testTheMostSeriousOutcomeWinsByTheDeclaredOrder() {
        XCTAssertEqual(Set(ExitCode.severity), Set(ExitCode.allCases), "every code ranked")
        XCTAssertEqual(ExitCode.severity.count, ExitCode.allCases.count, "each once")
        XCTAssertEqual(ExitCode.mostSerious([.tryLater, .badMetadata, .tryLater]), .badMetadata)
        XCTAssertEqual(ExitCode.mostSerious([.tryLater, .cannotWrite]), .cannotWrite)
        XCTAssertEqual(ExitCode.mostSerious([.tryLater, .configuration]), .configuration)
        XCTAssertEqual(ExitCode.mostSerious([.notOurs, .tryLater]), .notOurs)
        XCTAssertEqual(ExitCode.mostSerious([.ok, .tryLater]), .tryLater)
        XCTAssertEqual(ExitCode.mostSerious([]), .ok)
        for (i, more) in ExitCode.severity.enumerated() {
            for less in ExitCode.severity[(i + 1)...] {
                XCTAssertEqual(ExitCode.mostSerious([less, more]), more)
            }
        }
    }

    /// The README states the same order as ExitCode.severity.
    func testReadmeStatesTheOrder() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let order = ExitCode.severity.map { String($0.rawValue) }.joined(separator: ", ")
        XCTAssertTrue(text.replacingOccurrences(of: "\n", with: " ").contains("first; `ExitCode.severity`): \(order)."),
                      "README should list \(order)")
    }

    func testOutcomesMapToTheirCodes() {
        XCTAssertEqual(ExitCode.of(ConfigureOutcome.excluded(reason: "x", removed: [])), .notOurs)
        XCTAssertEqual(ExitCode.of(ConfigureOutcome.adminOwned(file: "x", removed: [])), .notOurs)
        XCTAssertEqual(ExitCode.of(ConfigureOutcome.unchanged), .ok)
        XCTAssertEqual(ExitCode.of(ConfigureOutcome.inert), .ok)
        XCTAssertEqual(ExitCode.of(ConfigureOutcome.noAddresses(removed: [])), .ok)
    }

    /// README.md "Exit codes (sysexits)": one row per code, no more, no less.
    func testReadmeTableMatchesTheEnum() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let start = text.range(of: "## Exit codes") else { return XCTFail("README has no exit code section") }
        let section = text[start.upperBound...].prefix { _ in true }
        var codes: [Int32] = []
        for line in section.split(separator: "\n").dropFirst() {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if let first = cells.first, let code = Int32(first) { codes.append(code) }
        }
        XCTAssertEqual(codes.sorted(), ExitCode.allCases.map(\.rawValue).sorted())
    }
}
