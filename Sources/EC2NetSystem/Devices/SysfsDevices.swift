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

    private func driver(of name: String) -> String? {
        if let d = sysfs.driver(of: name) { return d }
        guard askKernel else { return nil }
        var buffer = [CChar](repeating: 0, count: 64)
        guard ec2net_ethtool_driver(name, &buffer, buffer.count) == 0 else { return nil }
        // The pointer form: String(cString:) of an array is deprecated.
        let driver = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return driver.isEmpty ? nil : driver
    }

    public func enumerate() -> [NetworkDevice] {
        guard let dir = try? Directory(path: sysfs.root + "/class/net", create: false),
              let names = try? dir.entries() else { return [] }
        return names.compactMap { name in
            guard let driver = driver(of: name), drivers.contains(driver),
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
