/// One entry of `[Interfaces] Exclude=`: a MAC, an ENI id, or a range of
/// device numbers (`device:1-15`, any card).
public enum ExclusionRule: Equatable, Sendable, CustomStringConvertible {
    case mac(MACAddress)
    case interfaceID(String)
    case devices(ClosedRange<Int>)

    public init(parsing text: Substring) throws(AddressError) {
        if text.hasPrefix("device:") {
            let spec = text.dropFirst("device:".count)
            let parts = spec.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 1 || parts.count == 2 else { throw .invalidInteger(String(text)) }
            let lo = try DeviceIndex.parseInteger(parts[0], in: DeviceIndex.deviceRange)
            let hi = parts.count == 2 ? try DeviceIndex.parseInteger(parts[1], in: DeviceIndex.deviceRange) : lo
            guard lo <= hi else { throw .outOfRange(String(text), lo...lo) }
            self = .devices(lo...hi)
        } else if text.hasPrefix("eni-") {
            self = .interfaceID(try InterfaceID(parsing: text).description)
        } else {
            self = .mac(try MACAddress(parsing: text))
        }
    }

    public func matches(mac: MACAddress, interfaceID: InterfaceID?, index: DeviceIndex?) -> Bool {
        switch self {
        case .mac(let m): return m == mac
        case .interfaceID(let id): return interfaceID?.description == id
        case .devices(let r): return index.map { r.contains($0.device) } ?? false
        }
    }

    public var description: String {
        switch self {
        case .mac(let m): return m.description
        case .interfaceID(let id): return id
        case .devices(let r): return r.lowerBound == r.upperBound ? "device:\(r.lowerBound)" : "device:\(r.lowerBound)-\(r.upperBound)"
        }
    }
}
