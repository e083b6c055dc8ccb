/// An ENI id: `eni-` followed by 8 or 17 lower-case hex digits.
public struct InterfaceID: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(parsing text: Substring) throws(AddressError) {
        let utf8 = Array(text.utf8)
        guard text.hasPrefix("eni-"), utf8.count == 12 || utf8.count == 21,
              utf8[4...].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { throw .invalidInterfaceID(String(text)) }
        description = String(text)
    }

    public init(parsing text: String) throws(AddressError) { try self.init(parsing: Substring(text)) }
}
