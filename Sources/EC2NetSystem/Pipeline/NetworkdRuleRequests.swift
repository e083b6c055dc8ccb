import EC2NetCore

/// Every `[RoutingPolicyRule]` that configuration systemd-networkd loads
/// asks for: each `.network` file and each drop-in (`NAME.network.d/*.conf`)
/// in networkd's search path, ec2net's own runtime files included, read
/// through symlinks as networkd reads them. More is read than networkd may
/// load (a file masked or overridden by one of the same name, a drop-in of
/// no file): here that only means more rules count as wanted, the safe side.
public struct NetworkdRuleRequests {
    public let directories: [String]

    public init(paths: Paths) {
        directories = ["/etc/systemd/network", "/run/systemd/network", "/usr/local/lib/systemd/network",
                       "/usr/lib/systemd/network", "/lib/systemd/network"].map { paths.root + $0 }
    }

    /// Any file or directory that exists but cannot be read is an error:
    /// what it asks for is unknown, so the caller deletes nothing.
    public func requests() throws(FileError) -> [RuleRequest] {
        var out: [RuleRequest] = []
        for path in directories {
            guard let dir = try Directory.configuration(path) else { continue }
            for name in try dir.entries() {
                if name.hasSuffix(".network") {
                    if let text = try dir.read(name, limit: 1 << 20, followingSymlink: true) { out += NetworkdRuleRequests.requests(in: text) }
                } else if name.hasSuffix(".network.d"), let dropIns = try Directory.configuration(path + "/" + name) {
                    for conf in try dropIns.entries() where conf.hasSuffix(".conf") {
                        if let text = try dropIns.read(conf, limit: 1 << 20, followingSymlink: true) {
                            out += NetworkdRuleRequests.requests(in: text)
                        }
                    }
                }
            }
        }
        return out
    }

    public static func requests(in text: String) -> [RuleRequest] {
        NetworkdFile(parsing: text).sections.filter { $0.name == "RoutingPolicyRule" }.flatMap(RuleRequest.requests)
    }
}
