/// A network block such as `10.0.1.16/28` or `2600:1f18::/80`.
public struct CIDR<Address: NetworkAddress>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let address: Address
    public let prefixLength: Int

    public init(address: Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public init(parsing text: Substring) throws(AddressError) {
        guard let slash = text.firstIndex(of: "/") else { throw .invalidCIDR(String(text)) }
        let lengthText = text[text.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.count <= 3,
              lengthText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let length = Int(lengthText), length <= Address.bitWidth
        else { throw .invalidCIDR(String(text)) }
        do {
            address = try Address(parsing: text[..<slash])
        } catch {
            throw .invalidCIDR(String(text))
        }
        prefixLength = length
    }

    public init(parsing text: String) throws(AddressError) { try self.init(parsing: Substring(text)) }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (a: CIDR, b: CIDR) -> Bool {
        a.address == b.address ? a.prefixLength < b.prefixLength : a.address < b.address
    }
}

/// What IPv4 and IPv6 addresses share, so CIDR and lists can be generic.
public protocol NetworkAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    static var bitWidth: Int { get }
    init(parsing text: Substring) throws(AddressError)
}

extension IPv4Address: NetworkAddress { public static var bitWidth: Int { 32 } }
extension IPv6Address: NetworkAddress { public static var bitWidth: Int { 128 } }

public typealias IPv4CIDR = CIDR<IPv4Address>
public typealias IPv6CIDR = CIDR<IPv6Address>
