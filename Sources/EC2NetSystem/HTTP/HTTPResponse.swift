/// A complete HTTP/1.1 response.
public struct HTTPResponse: Equatable, Sendable {
    public let status: Int
    public let headers: [HTTPHeader]
    public let body: [UInt8]
    /// The server will not take another request on this connection.
    public let closesConnection: Bool

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The body as text; IMDS values are ASCII, anything not UTF-8 is refused.
    public var text: String? {
        String(validating: body, as: UTF8.self)
    }
}

public struct HTTPHeader: Equatable, Sendable {
    public let name: String
    public let value: String
}
