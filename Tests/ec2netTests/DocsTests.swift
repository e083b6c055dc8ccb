import Foundation
import XCTest
@testable import ec2net

/// The documents a maintainer reads say what the code does (issue 25): each
/// man page's EXIT STATUS and docs/interfaces.md list the codes of the
/// enum (ExitCodeTests pins README's table), and README's Layout names every
/// source folder and only folders that exist.
final class DocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The `.B N` items of a man page's EXIT STATUS section.
    private func manExitCodes(_ page: String) throws -> Set<Int32> {
        var codes: Set<Int32> = []
        var inSection = false
        for line in try text("man/\(page)").split(separator: "\n") {
            if line.hasPrefix(".SH") { inSection = line.contains("EXIT"); continue }
            if inSection, line.hasPrefix(".B "), let code = Int32(line.dropFirst(3)) { codes.insert(code) }
        }
        return codes
    }

    private var allCodes: Set<Int32> { Set(ExitCode.allCases.map(\.rawValue)) }

    func testEc2netManPageListsEveryCodeButStatusDrift() throws {
        XCTAssertEqual(try manExitCodes("ec2net.8"), allCodes.subtracting([ExitCode.drift.rawValue]))
    }

    func testStatusManPageListsWhatStatusReturns() throws {
        XCTAssertEqual(try manExitCodes("ec2net-status.8"), Set(Status.exitCodes.map(\.rawValue)))
    }

    /// The other four pages defer to ec2net(8) and list no codes of their own.
    func testProgramManPagesDeferToEc2net() throws {
        for page in ["ec2-plug.8", "ec2-unplug.8", "ec2-ifname.8", "ec2-ifscan.8"] {
            XCTAssertTrue(try text("man/\(page)").contains("The codes of\n.BR ec2net (8)."), page)
            XCTAssertEqual(try manExitCodes(page), [], page)
        }
    }

    func testInterfacesDocListsEveryCode() throws {
        let doc = try text("docs/interfaces.md")
        guard let start = doc.range(of: "## Exit codes") else { return XCTFail("docs/interfaces.md has no exit code section") }
        let section = doc[start.upperBound...].split(separator: "\n").dropFirst().prefix { !$0.hasPrefix("## ") }
            .joined(separator: " ")
        // Whole words only: "ec2net" holds no code, "(403," is not one.
        let numbers = section.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .compactMap { $0.count <= 2 ? Int32($0) : nil }
        XCTAssertEqual(Set(numbers), allCodes)
    }

    /// README "Layout": every folder under Sources/ (two levels) is named,
    /// as a path or inside `{A,B}`, and every Sources/ path named exists.
    func testReadmeLayoutMatchesTheTree() throws {
        let readme = try text("README.md")
        guard let start = readme.range(of: "## Layout") else { return XCTFail("README has no Layout section") }
        let section = String(readme[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().prefix { !$0.hasPrefix("## ") }.joined(separator: "\n"))
        var named: Set<String> = []
        var scanner = section[...]
        while let r = scanner.range(of: "Sources/") {
            var word = scanner[r.lowerBound...].prefix { !$0.isWhitespace && !"`);:".contains($0) }
            while word.hasSuffix(",") || word.hasSuffix(".") { word = word.dropLast() }
            if let open = word.firstIndex(of: "{"), let close = word.firstIndex(of: "}") {
                let base = word[..<open]
                for part in word[word.index(after: open)..<close].split(separator: ",") { named.insert(String(base + part)) }
            } else {
                named.insert(String(word.hasSuffix("/") ? word.dropLast() : word))
            }
            scanner = scanner[r.upperBound...]
        }
        let fm = FileManager.default
        var folders: Set<String> = []
        for top in try fm.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path) {
            folders.insert("Sources/\(top)")
            let sub = root.appendingPathComponent("Sources/\(top)").path
            for inner in try fm.contentsOfDirectory(atPath: sub) {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: sub + "/" + inner, isDirectory: &isDir), isDir.boolValue {
                    folders.insert("Sources/\(top)/\(inner)")
                }
            }
        }
        XCTAssertEqual(folders.subtracting(named).sorted(), [], "folders the Layout does not name")
        for path in named.sorted() {
            XCTAssertTrue(fm.fileExists(atPath: root.appendingPathComponent(path).path), "Layout names \(path), which does not exist")
        }
    }
}
