import EC2NetCore

/// Lists ENIs by reading `<sysfs>/class/net/*` directly: used when sysfs is
/// redirected (`--sysfs`, tests against a temporary tree), where libudev,
/// which always reads the real /sys and /run/udev, cannot follow. A
/// device's driver is the `device/driver` link's target name.
public final class SysfsDevices: DeviceEnumerator {
    private let sysfs: Sysfs
    private let drivers: Set<String>

    public init(sysfs: Sysfs, drivers: Set<String>) {
        self.sysfs = sysfs
        self.drivers = drivers
    }

    public func enumerate() -> [NetworkDevice] {
        guard let dir = try? Directory(path: sysfs.root + "/class/net", create: false),
              let names = try? dir.entries() else { return [] }
        return names.compactMap { name in
            guard let driver = sysfs.driver(of: name), drivers.contains(driver),
                  let mac = try? sysfs.mac(of: name) else { return nil }
            return NetworkDevice(name: name, mac: mac, driver: driver)
        }
    }

    /// The interfaces that carry `mac` now, whatever their driver.
    public func interfaces(with mac: MACAddress) -> [String] {
        guard let dir = try? Directory(path: sysfs.root + "/class/net", create: false),
              let names = try? dir.entries() else { return [] }
        return names.filter { (try? sysfs.mac(of: $0)) == mac }
    }
}
