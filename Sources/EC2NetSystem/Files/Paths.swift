/// Every file path ec2net uses, under one root so tests run the real
/// binaries against a temporary tree.
public struct Paths: Sendable {
    public let root: String

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r == "/" ? "" : r
    }

    public var networkdRuntime: String { root + "/run/systemd/network" }
    public var adminNetworkd: String { root + "/etc/systemd/network" }
    /// Where networkd looks for a .network file's drop-ins
    /// (`NAME.network.d/*.conf`), highest priority first: NETWORK_DIRS,
    /// CONF_PATHS("systemd/network") in systemd 252.
    public var networkdDirectories: [String] {
        ["/etc", "/run", "/usr/local/lib", "/usr/lib"].map { root + $0 + "/systemd/network" }
    }
    public var runtime: String { root + "/run/ec2net" }
    public var state: String { root + "/var/lib/ec2net" }
    public var deviceMap: String { state + "/interfaces" }
    public var vendorConfig: String { root + "/usr/lib/ec2net/ec2net.conf" }
    public var adminConfig: String { root + "/etc/ec2net/ec2net.conf" }
    public var hostnameFile: String { root + "/etc/hostname" }
    public var isRealRoot: Bool { root.isEmpty }
}
