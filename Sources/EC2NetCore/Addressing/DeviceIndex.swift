/// Where an ENI is attached: EC2's NetworkCardIndex and DeviceIndex.
/// Both feed `10000 + 100*card + device`, so device must stay below 100 for
/// tables of different cards never to collide.
public struct DeviceIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let deviceRange = 0...99
    public static let cardRange = 0...31

    public let card: Int
    public let device: Int

    public init(card: Int, device: Int) throws(AddressError) {
        guard DeviceIndex.cardRange.contains(card) else { throw .outOfRange(String(card), DeviceIndex.cardRange) }
        guard DeviceIndex.deviceRange.contains(device) else { throw .outOfRange(String(device), DeviceIndex.deviceRange) }
        self.card = card
        self.device = device
    }

    public static let primary = try! DeviceIndex(card: 0, device: 0)

    public var isPrimarySlot: Bool { card == 0 && device == 0 }

    public var description: String { "device-number \(device), network-card \(card)" }

    public static func < (a: DeviceIndex, b: DeviceIndex) -> Bool {
        a.card == b.card ? a.device < b.device : a.card < b.card
    }

    /// Parses a decimal integer from IMDS within a range: no sign, no spaces.
    public static func parseInteger(_ text: Substring, in range: ClosedRange<Int>) throws(AddressError) -> Int {
        guard !text.isEmpty, text.utf8.count <= 6, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let v = Int(text) else { throw .invalidInteger(String(text)) }
        guard range.contains(v) else { throw .outOfRange(String(text), range) }
        return v
    }
}
