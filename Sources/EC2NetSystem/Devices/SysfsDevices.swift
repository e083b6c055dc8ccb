import CLinux
import EC2NetCore

/// Lists ENIs by reading `<sysfs>/class/net/*` directly: when sysfs is
/// redirected (`--sysfs`, tests against a temporary tree), where libudev,
/// which always reads the real /sys and /run/udev, cannot follow, and in
/// the builds without libudev. A device's driver is the `device/driver`
/// link's target name; for the host's own sysfs, a device without that
/// link (veth) is asked the kernel by ethtool, as udev's net_setup_link
/// does for ID_NET_DRIVER.
///
/// With udev's database (`udev`), the list is udev's view, as networkd's
/// is: while udev runs, an interface without a record is not initialized
/// yet (its event is still running, maybe on a `tmp…` name it is about to
/// leave) and is not listed; its own event's ec2-plug configures it, or the
/// next scan once udev has finished. A record's ID_NET_DRIVER and EC2_*
/// properties are taken from it; sysfs is the fallback only where udev does
/// not run (no /run/udev).
public final class SysfsDevices: DeviceEnumerator {
    private let sysfs: Sysfs
    private let drivers: Set<String>
    private let askKernel: Bool
    private let udev: UdevDatabase?
    private let log: Log?

    /// - Parameters:
    ///   - askKernel: only for the host's own sysfs: the kernel
    ///     knows interfaces by name, and a test tree's names are not its.
    ///   - udev: nil lists from sysfs alone (the per-MAC re-check of a removal).
    ///   - log: where an interface udev has not initialized is reported.
    public init(sysfs: Sysfs, drivers: Set<String>, askKernel: Bool = false, udev: UdevDatabase? = nil, log: Log? = nil) {
        self.sysfs = sysfs
        self.drivers = drivers
        self.askKernel = askKernel
        self.udev = udev
        self.log = log
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
    /// Errors reading udev's database are errors too (only ENOENT is "no record").
    public func enumerate() throws(SysfsError) -> [NetworkDevice] {
        let udevRuns: Bool
        do { udevRuns = try udev?.isRunning() ?? false } catch { throw .unreadable(error) }
        var out: [NetworkDevice] = []
        for name in try names() {
            var record: UdevDatabaseRecord? = nil
            if udevRuns, let udev {
                guard let index = try sysfs.presentInterfaceIndex(of: name) else { continue }  // gone
                do { record = try udev.record(interfaceIndex: index) } catch { throw .unreadable(error) }
                if record == nil {
                    log?.info("\(name): udev has not initialized it yet (no \(udev.recordPath(interfaceIndex: index))); left to its udev event and the next scan")
                    continue
                }
            }
            // A record without ID_NET_DRIVER (rules without net_setup_link):
            // the kernel's driver, which is what udev would have put there.
            var driver = record?["ID_NET_DRIVER"]
            if driver == nil { driver = try self.driver(of: name) }
            guard let driver, drivers.contains(driver),
                  let mac = try sysfs.presentMAC(of: name) else { continue }
            var device = NetworkDevice(name: name, mac: mac, driver: driver)
            for p in record?.properties ?? [] where p.key.hasPrefix("EC2_") { device.ec2Properties[p.key] = p.value }
            out.append(device)
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
            guard let dir = try Directory.configuration(path) else { return [] }
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
