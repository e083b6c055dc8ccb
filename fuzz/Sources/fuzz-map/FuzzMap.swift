import EC2NetCore
import FuzzSupport

// /var/lib/ec2net/interfaces text -> DeviceMap(parsing:) -> render -> parse.
// Properties: no trap; the rendered map parses back to the same map and
// renders to the same bytes (the file is rewritten from what was read, so
// a drift would change slots across boots); no more entries than lines;
// every entry in range; reverse lookups agree.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = String(decoding: input.rest(), as: UTF8.self)
    let map = DeviceMap(parsing: text)
    let rendered = map.render()
    let again = DeviceMap(parsing: rendered)
    Fuzz.check(again == map, "map-roundtrip", "\(Fuzz.show(text)) -> \(Fuzz.show(rendered)) -> \(Fuzz.show(again.render()))")
    Fuzz.check(again.render() == rendered, "map-render-stable", Fuzz.show(rendered))
    Fuzz.check(map.entries.count <= text.split(whereSeparator: \.isNewline).count, "map-count", "\(map.entries.count) entries")
    if let bad = INIShapeLines.firstBad(rendered) {
        Fuzz.check(false, "map-line-shape", Fuzz.show(bad))
    }
    for (mac, e) in map.entries {
        Fuzz.check(DeviceIndex.deviceRange.contains(e.index.device) && DeviceIndex.cardRange.contains(e.index.card),
                   "map-range", "\(mac) \(e.index)")
        if let owner = map.mac(for: e.index) {
            Fuzz.check(map[owner]?.index == e.index, "map-reverse", "\(mac) \(e.index)")
        }
    }
    return 0
}

/// A rendered map line: `MAC device=N card=C[ eni=eni-...]`, ASCII, LF-ended.
enum INIShapeLines {
    static func firstBad(_ text: String) -> String? {
        for line in text.utf8.split(separator: 10) {
            let s = String(decoding: line, as: UTF8.self)
            let words = s.split(separator: " ", omittingEmptySubsequences: false)
            guard (3...4).contains(words.count), (try? MACAddress(parsing: words[0])) != nil,
                  words[1].hasPrefix("device="), words[2].hasPrefix("card="),
                  words.count == 3 || words[3].hasPrefix("eni="),
                  line.allSatisfy({ $0 >= 0x20 && $0 < 0x7f })
            else { return s }
        }
        return nil
    }
}
