import CLinux
import EC2NetCore

/// Lists ENIs by reading `<sysfs>/class/net/*` directly: when sysfs is
/// redirected (`--sysfs`, tests against a temporary tree), where libudev,
/// which always reads the real /sys and /run/udev, cannot follow, and in
/// the builds without libudev. A device's driver is the `device/driver`
/// link's target name; for the host's own sysfs, a device without that
/// link (veth) is asked the kernel by ethtool, as udev's net_setup_link
/// does for ID_NET_DRIVER.
public final class SysfsDevices: DeviceEnumerator {
    private let sysfs: Sysfs
    private let drivers: Set<String>
    private let askKernel: Bool

    /// - Parameter askKernel: only for the host's own sysfs: the kernel
    ///   knows interfaces by name, and a test tree's names are not its.
    public init(sysfs: Sysfs, drivers: Set<String>, askKernel: Bool = false) {
        self.sysfs = sysfs
        self.drivers = drivers
        self.askKernel = askKernel
    }

    private func driver(of name: String) throws(SysfsError) -> String? {
        if let d = try sysfs.presentDriver(of: name) { return d }
        guard askKernel else { return nil }
        var buffer = [CChar](repeating: 0, count: 64)
        guard ec2net_ethtool_driver(name, &buffer, buffer.count) == 0 else { return nil }
        // The pointer form: String(cString:) of an array is deprecated.
        let driver = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return driver.isEmpty ? nil : driver
    }

    /// The ENIs present. Throws when `class/net` or a device's driver or
    /// address cannot be read for any reason but absence: a short list
    /// would read as interfaces gone, and their config would be removed.
    public func enumerate() throws(SysfsError) -> [NetworkDevice] {
        var out: [NetworkDevice] = []
        for name in try names() {
            guard let driver = try driver(of: name), drivers.contains(driver),
                  let mac = try sysfs.presentMAC(of: name) else { continue }
            out.append(NetworkDevice(name: name, mac: mac, driver: driver))
        }
        return out
    }

    /// The interfaces that carry `mac` now, whatever their driver; throws
    /// unless every interface's address could be read (or was absent).
    public func interfaces(with mac: MACAddress) throws(SysfsError) -> [String] {
        var out: [String] = []
        for name in try names() where try sysfs.presentMAC(of: name) == mac { out.append(name) }
        return out
    }

    /// The interfaces in `class/net` (links to device directories); none
    /// when it does not exist (ENOENT). Entries that are not directories
    /// are not interfaces (`bonding_masters`, a file the bonding driver
    /// puts there); one that vanished meanwhile (ENOENT) is gone.
    private func names() throws(SysfsError) -> [String] {
        let path = sysfs.root + "/class/net"
        do throws(FileError) {
            let dir: Directory
            do { dir = try Directory(path: path, create: false, followingSymlinks: true) } catch {
                if case .operation(_, _, let e) = error, e == ENOENT { return [] }
                throw error
            }
            var out: [String] = []
            for name in try dir.entries() {
                var st = stat()
                if stat(path + "/" + name, &st) != 0 {
                    if errno == ENOENT { continue }
                    throw .operation("stat", path: path + "/" + name, errno: errno)
                }
                if (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) { out.append(name) }
            }
            return out
        } catch { throw .unreadable(error) }
    }
}
