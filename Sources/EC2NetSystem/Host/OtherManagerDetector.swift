import CLinux

/// Tells whether another network manager also manages an interface: both
/// would fight over its addresses and routes. ec2net changes no other
/// manager's settings; it only says so (ec2-ifscan's log, ec2net status).
/// ifupdown marks interfaces it brought up in /run/network; NetworkManager
/// keeps per-device state in /run/NetworkManager/devices/IFINDEX.
public struct OtherManagerDetector {
    private let paths: Paths
    private let sysfs: Sysfs

    public init(paths: Paths, sysfs: Sysfs) {
        self.paths = paths
        self.sysfs = sysfs
    }

    /// The other manager's name, or nil when none claims the interface.
    public func manager(of interface: String) -> String? {
        if access(paths.root + "/run/network/ifstate.\(interface)", F_OK) == 0 { return "ifupdown (/etc/network/interfaces)" }
        if let index = sysfs.interfaceIndex(of: interface),
           access(paths.root + "/run/NetworkManager/devices/\(index)", F_OK) == 0 { return "NetworkManager" }
        return nil
    }
}
