/// A file ec2net wants under the networkd runtime directory.
public struct GeneratedFile: Equatable, Sendable {
    public let name: String
    public let contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}
