import EC2NetCore
import FuzzSupport

// A udev database record (/run/udev/data/n<ifindex>) -> UdevDatabaseRecord(bytes:).
// Input: the record's bytes, as udev or anything else left them.
// Properties: no trap; the record written back (`text`) parses to the same
// record (udev-roundtrip); a lookup is the last line of its key
// (udev-lookup); and properties built from the input (split at NUL bytes
// into key, value pairs, keys without "=" or LF, values without LF) are
// read back exactly from the record they make (udev-properties).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let bytes = input.rest()

    let record = UdevDatabaseRecord(bytes: bytes)
    let again = UdevDatabaseRecord(parsing: record.text)
    Fuzz.check(again == record, "udev-roundtrip", "\(Fuzz.show(bytes)) -> \(Fuzz.show(record.text))")
    let map = record.propertyMap
    for p in record.properties {
        Fuzz.check(record[p.key] == map[p.key], "udev-lookup", Fuzz.show(p.key))
        Fuzz.check(!p.key.isEmpty && !p.key.contains("=") && !p.key.contains("\n") && !p.value.contains("\n"),
                   "udev-properties", "\(Fuzz.show(p.key))=\(Fuzz.show(p.value))")
    }

    var built: [(key: String, value: String)] = []
    let pieces = bytes.split(separator: 0, omittingEmptySubsequences: false)
    var i = 0
    while i + 1 < pieces.count {
        let key = pieces[i].filter { $0 != 10 && $0 != UInt8(ascii: "=") }
        let value = pieces[i + 1].filter { $0 != 10 }
        i += 2
        guard !key.isEmpty else { continue }
        built.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }
    let made = UdevDatabaseRecord(initializedMicroseconds: UInt64(size), properties: built)
    let read = UdevDatabaseRecord(parsing: made.text)
    Fuzz.check(read == made, "udev-properties", "\(built.map { "\($0.key)=\($0.value)" }) -> \(Fuzz.show(made.text))")
    return 0
}
