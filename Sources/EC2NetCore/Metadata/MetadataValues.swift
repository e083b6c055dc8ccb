/// Parsers for IMDS bodies. IMDS lists are one value per line; every line
/// must parse, so a value smuggling a newline and `[Section]` is refused
/// rather than written into an INI file.
public enum MetadataValues {
    public static func lines(_ body: String) -> [Substring] {
        var parts = body.split(separator: "\n", omittingEmptySubsequences: false)
        // IMDS sends no trailing newline; tolerate one from other servers.
        if parts.last == "" { parts.removeLast() }
        if parts.count == 1 && parts[0].isEmpty { return [] }
        return parts
    }

    public static func list<T>(_ body: String?, key: MetadataKey,
                               _ parse: (Substring) throws(AddressError) -> T) throws(MetadataError) -> [T] {
        guard let body else { return [] }
        var out: [T] = []
        for line in lines(body) {
            do { out.append(try parse(line)) } catch { throw .invalidValue(key: key.rawValue, error) }
        }
        return out
    }

    public static func single<T>(_ body: String?, key: MetadataKey,
                                 _ parse: (Substring) throws(AddressError) -> T) throws(MetadataError) -> T? {
        let all = try list(body, key: key, parse)
        guard all.count <= 1 else { throw .multipleValues(key: key.rawValue, count: all.count) }
        return all.first
    }

    public static func integer(_ body: String, key: MetadataKey, in range: ClosedRange<Int>) throws(MetadataError) -> Int {
        let trimmed = body.hasSuffix("\n") ? body.dropLast() : Substring(body)
        do { return try DeviceIndex.parseInteger(trimmed, in: range) } catch { throw .invalidValue(key: key.rawValue, error) }
    }

    /// Directory listings: entries one per line, sub-directories end in `/`.
    public static func listing(_ body: String) -> [String] {
        lines(body).map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) }
    }
}
