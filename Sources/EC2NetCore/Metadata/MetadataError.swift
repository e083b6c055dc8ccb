/// Why an ENI's metadata was refused. Refused metadata changes no config.
public enum MetadataError: Error, Equatable, CustomStringConvertible {
    case invalidValue(key: String, AddressError)
    case missing(key: String)
    case empty(key: String)
    case multipleValues(key: String, count: Int)

    public var description: String {
        switch self {
        case .invalidValue(let key, let e): return "IMDS key \(key): \(e)"
        case .missing(let key): return "IMDS key \(key) is missing"
        case .empty(let key): return "IMDS key \(key) is empty"
        case .multipleValues(let key, let n): return "IMDS key \(key) holds \(n) lines where one value was expected"
        }
    }
}
