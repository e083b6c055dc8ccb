import Glibc

/// ec2net changes no other network manager's settings; it only says so when
/// one of them also manages an ENI, since both would fight over its
/// addresses. ifupdown marks interfaces it brought up in /run/network;
/// NetworkManager keeps per-device state in /run/NetworkManager/devices.
public struct OtherNetworkManagers {
    public enum Manager: String, Sendable { case ifupdown, networkManager = "NetworkManager" }

    private let paths: Paths
    private let sysfs: Sysfs

    public init(paths: Paths, sysfs: Sysfs) {
        self.paths = paths
        self.sysfs = sysfs
    }

    /// The other managers that also manage `interface`.
    public func managers(of interface: String) -> [Manager] {
        var out: [Manager] = []
        if access(paths.root + "/run/network/ifstate.\(interface)", F_OK) == 0 { out.append(.ifupdown) }
        if let index = sysfs.interfaceIndex(of: interface),
           access(paths.root + "/run/NetworkManager/devices/\(index)", F_OK) == 0 {
            out.append(.networkManager)
        }
        return out
    }

    public func warn(about devices: [NetworkDevice], log: Log) {
        for d in devices {
            for m in managers(of: d.name) {
                log.warning("\(d.name) (\(d.mac)): \(m.rawValue) also manages it; ec2net's networkd config may conflict")
            }
        }
    }
}
