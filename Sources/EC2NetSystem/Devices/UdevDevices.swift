import CUdev
import EC2NetCore

/// Finds ENIs through libudev: net devices whose driver is one EC2 uses.
/// The driver comes from udev's ID_NET_DRIVER when udev has processed the
/// device, else from the sysfs driver link.
public final class UdevDevices: DeviceEnumerator {
    public static var ec2Drivers: Set<String> { NetworkDevice.ec2Drivers }

    private let drivers: Set<String>
    private let sysfs: Sysfs

    public init(drivers: Set<String>, sysfs: Sysfs) {
        self.drivers = drivers
        self.sysfs = sysfs
    }

    public func enumerate() -> [NetworkDevice] {
        guard let udev = udev_new() else { return [] }
        defer { udev_unref(udev) }
        guard let e = udev_enumerate_new(udev) else { return [] }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "net")
        udev_enumerate_scan_devices(e)
        var out: [NetworkDevice] = []
        var entry = udev_enumerate_get_list_entry(e)
        while let en = entry {
            entry = udev_list_entry_get_next(en)
            guard let syspath = udev_list_entry_get_name(en),
                  let dev = udev_device_new_from_syspath(udev, syspath) else { continue }
            defer { udev_device_unref(dev) }
            guard let sysnameC = udev_device_get_sysname(dev) else { continue }
            let name = String(cString: sysnameC)
            var driver = udev_device_get_property_value(dev, "ID_NET_DRIVER").map { String(cString: $0) }
            if driver == nil { driver = sysfs.driver(of: name) }
            guard let d = driver, drivers.contains(d) else { continue }
            guard let macC = udev_device_get_sysattr_value(dev, "address"),
                  let mac = try? MACAddress(parsing: String(cString: macC)) else { continue }
            out.append(NetworkDevice(name: name, mac: mac, driver: d))
        }
        return out.sorted { $0.name < $1.name }
    }
}
