import Glibc
import EC2NetCore

/// The fuzzer's input, consumed front to back: a few control bytes first
/// (where to split, which flags), the payload last. Reading past the end
/// yields zeros, so every input is valid.
public struct FuzzInput {
    public let bytes: [UInt8]
    public private(set) var position = 0

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - position }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(bytes[position...])
    }

    /// Up to `maxPieces` pieces: one control byte gives the count, one
    /// control byte per cut its position (scaled to the payload).
    public mutating func splitRest(maxPieces: Int) -> [[UInt8]] {
        let cuts = Int(byte()) % maxPieces
        var at: [Int] = []
        for _ in 0..<cuts { at.append(Int(byte())) }
        let payload = rest()
        guard !payload.isEmpty else { return [payload] }
        let points = at.map { $0 * payload.count / 256 }.sorted()
        var pieces: [[UInt8]] = []
        var start = 0
        for p in points { pieces.append(Array(payload[start..<p])); start = p }
        pieces.append(Array(payload[start...]))
        return pieces
    }
}

/// Checks that stay switched on unless named in `EC2NET_FUZZ_SKIP`
/// (comma-separated): a way to keep fuzzing past a known, reported bug
/// until its fix lands. `make fuzz` leaves every check on.
public enum Fuzz {
    public static let skipped: Set<String> = {
        guard let v = getenv("EC2NET_FUZZ_SKIP") else { return [] }
        return Set(String(cString: v).split(separator: ",").map(String.init))
    }()

    /// Reports a broken property and aborts, which libFuzzer records as a crash.
    public static func check(_ condition: Bool, _ id: String, _ message: @autoclosure () -> String) {
        guard !condition, !skipped.contains(id) else { return }
        let text = "ec2net fuzz property \(id) violated: \(message())\n"
        _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }

    /// `s` for a failure message, control characters escaped.
    public static func show(_ s: String) -> String { Printable.quote(s, limit: 400) }
    public static func show(_ b: [UInt8]) -> String { Printable.quote(String(decoding: b, as: UTF8.self), limit: 400) }

    /// True when `s` has no ASCII control character (C0 or DEL): the
    /// property that keeps a logged or written value on one line.
    public static func isOneLine(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
    }
}

/// What a generated networkd file may contain, checked byte by byte (a
/// Swift `Character` would hide a CR LF pair): ASCII only, every line
/// `[Section]`, `Key=value`, `# comment` or empty, LF-terminated.
public enum INIShape {
    /// The first offending line, or nil when the whole text has the shape.
    public static func badLine(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        guard bytes.last == 10 else { return "(no final newline)" }
        for line in bytes.dropLast().split(separator: 10, omittingEmptySubsequences: false) {
            if !isGood(Array(line)) { return String(decoding: line, as: UTF8.self) }
        }
        return nil
    }

    static func isWord(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
    static func isText(_ c: UInt8) -> Bool { c >= 0x20 && c < 0x7f }

    static func isGood(_ line: [UInt8]) -> Bool {
        if line.isEmpty { return true }
        if line.starts(with: [35, 32]) { return line.allSatisfy(isText) }   // "# "
        if line.first == 91 {                                               // "[Name]"
            return line.count > 2 && line.last == 93 && line.dropFirst().dropLast().allSatisfy(isWord)
        }
        guard let eq = line.firstIndex(of: 61), eq > 0 else { return false } // "Key=value"
        return line[..<eq].allSatisfy(isWord) && line[(eq + 1)...].allSatisfy(isText)
    }
}
