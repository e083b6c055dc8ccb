/// The persisted MAC -> EC2 slot map that ec2-plug and ec2-ifscan write
/// whenever IMDS confirmed a slot, and ec2-ifname reads at the next boot,
/// when IMDS is not reachable yet. One line per ENI:
/// `02:00:00:00:00:02 device=1 card=0 eni=eni-0123456789abcdef0`.
public struct DeviceMap: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let index: DeviceIndex
        public let interfaceID: InterfaceID?
        public init(index: DeviceIndex, interfaceID: InterfaceID?) {
            self.index = index
            self.interfaceID = interfaceID
        }
    }

    public private(set) var entries: [MACAddress: Entry] = [:]

    public init() {}

    /// Lines that do not parse are dropped (and counted), never fatal: the
    /// map is a cache of IMDS answers, not a source of truth.
    public init(parsing text: String) {
        for line in text.split(whereSeparator: { $0.isNewline }) {
            let words = line.split(separator: " ")
            guard let first = words.first, let mac = try? MACAddress(parsing: first) else { continue }
            var device: Int? = nil, card = 0, eni: InterfaceID? = nil
            for w in words.dropFirst() {
                if w.hasPrefix("device=") { device = try? DeviceIndex.parseInteger(w.dropFirst(7), in: DeviceIndex.deviceRange) }
                else if w.hasPrefix("card=") { card = (try? DeviceIndex.parseInteger(w.dropFirst(5), in: DeviceIndex.cardRange)) ?? -1 }
                else if w.hasPrefix("eni=") { eni = try? InterfaceID(parsing: w.dropFirst(4)) }
            }
            guard let d = device, let index = try? DeviceIndex(card: card, device: d) else { continue }
            entries[mac] = Entry(index: index, interfaceID: eni)
        }
    }

    public subscript(mac: MACAddress) -> Entry? {
        get { entries[mac] }
        set { entries[mac] = newValue }
    }

    /// The MAC recorded for a slot, if any: the reverse lookup naming needs.
    public func mac(for index: DeviceIndex) -> MACAddress? {
        entries.first { $0.value.index == index }?.key
    }

    public func render() -> String {
        entries.sorted { $0.key < $1.key }.map { mac, e in
            var line = "\(mac) device=\(e.index.device) card=\(e.index.card)"
            if let id = e.interfaceID { line += " eni=\(id)" }
            return line + "\n"
        }.joined()
    }
}
