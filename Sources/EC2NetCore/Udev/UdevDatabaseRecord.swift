/// One device's entry in udev's database, `/run/udev/data/n<ifindex>` for a
/// network interface: what libudev and networkd read. udev writes it when it
/// has finished the device's event (systemd's device_update_db()), so its
/// existence is `sd_device_get_is_initialized()`. Lines are `<key>:<value>`:
/// `I:` the initialization time (µs, CLOCK_MONOTONIC), `E:KEY=value` a
/// property, `G:`/`Q:` a tag (all / current), `S:` a /dev link; others
/// (`L:`, `W:`, `V:`) are kept as they are. Like sd-device's reader
/// (device_read_db_internal_filename()), a line not of that shape, or an
/// `E:` without `=`, is ignored.
public struct UdevDatabaseRecord: Equatable, Sendable {
    public var initializedMicroseconds: UInt64?
    /// Properties in file order; a later line of the same key wins on lookup.
    public var properties: [(key: String, value: String)]
    public var tags: [String]
    public var currentTags: [String]
    public var links: [String]
    /// Lines of other keys (`L:`, `W:`, `V:`), as read.
    public var otherLines: [String]

    public init(initializedMicroseconds: UInt64? = nil, properties: [(key: String, value: String)] = [],
                tags: [String] = [], currentTags: [String] = [], links: [String] = [], otherLines: [String] = []) {
        self.initializedMicroseconds = initializedMicroseconds
        self.properties = properties
        self.tags = tags
        self.currentTags = currentTags
        self.links = links
        self.otherLines = otherLines
    }

    public init(parsing text: String) { self.init(bytes: Array(text.utf8)) }

    /// Bytes, not Characters: a line is what ends at a LF byte ("\r\n" is
    /// one Character in Swift, and a combining mark would join the `:`).
    public init(bytes: [UInt8]) {
        self.init()
        for line in bytes.split(separator: 10) {
            let start = line.startIndex
            guard line.count >= 2, line[start + 1] == UInt8(ascii: ":"), line[start] < 0x80 else { continue }
            let value = line[(start + 2)...]
            let string = String(decoding: value, as: UTF8.self)
            switch line[start] {
            case UInt8(ascii: "I"): initializedMicroseconds = UInt64(string)
            case UInt8(ascii: "E"):
                guard let eq = value.firstIndex(of: UInt8(ascii: "=")), eq != value.startIndex else { continue }
                properties.append((String(decoding: value[..<eq], as: UTF8.self),
                                   String(decoding: value[(eq + 1)...], as: UTF8.self)))
            case UInt8(ascii: "G"): tags.append(string)
            case UInt8(ascii: "Q"): currentTags.append(string)
            case UInt8(ascii: "S"): links.append(string)
            default: otherLines.append(String(decoding: line, as: UTF8.self))
            }
        }
    }

    /// The value of property `key` (the last line of that key), if any.
    public subscript(key: String) -> String? {
        properties.last { $0.key == key }?.value
    }

    /// The properties by key (a later line of the same key wins).
    public var propertyMap: [String: String] {
        var out: [String: String] = [:]
        for p in properties { out[p.key] = p.value }
        return out
    }

    /// The record in udev's format: `init(parsing:)` of it gives it back.
    public var text: String {
        var out = ""
        for l in links { out += "S:" + l + "\n" }
        for l in otherLines { out += l + "\n" }
        if let i = initializedMicroseconds { out += "I:" + String(i) + "\n" }
        for p in properties { out += "E:" + p.key + "=" + p.value + "\n" }
        for t in tags { out += "G:" + t + "\n" }
        for t in currentTags { out += "Q:" + t + "\n" }
        return out
    }

    public static func == (a: UdevDatabaseRecord, b: UdevDatabaseRecord) -> Bool {
        a.initializedMicroseconds == b.initializedMicroseconds && a.tags == b.tags && a.currentTags == b.currentTags
            && a.links == b.links && a.otherLines == b.otherLines
            && a.properties.count == b.properties.count
            && !zip(a.properties, b.properties).contains { $0.key != $1.key || $0.value != $1.value }
    }
}
