import CLinux
import EC2NetCore

/// The second half of the collision strategy in NamingPolicy: an interface
/// parked on a temporary name gets a new `add` event (written to its sysfs
/// `uevent`, as udevadm trigger does) once its target name is free, so
/// ec2-ifname names it again. Two parties may see the name free at once
/// (the parked interface's own ec2-plug, and the ec2-plug of the interface
/// that just left the name); a marker file created with O_EXCL lets only
/// one of them trigger, because a second `add` queued for the old path
/// would reach udev after the rename and wipe the device's properties.
/// The marker goes when the interface is parked again (ec2-ifname) or has
/// its final name (ec2-plug).
public struct RenameHandover {
    private let paths: Paths
    private let sysfs: Sysfs
    private let log: Log

    public init(paths: Paths, sysfs: Sysfs, log: Log) {
        self.paths = paths
        self.sysfs = sysfs
        self.log = log
    }

    /// Re-triggers every parked interface whose target name is free now.
    public func retrigger() {
        guard let dir = try? Directory(path: sysfs.root + "/class/net", create: false),
              let names = try? dir.entries() else { return }
        let map = DeviceMapStore(paths: paths).load()
        for name in names where NamingPolicy.isTemporaryName(name) {
            guard let mac = try? sysfs.mac(of: name), let entry = map[mac] else { continue }
            let target = NamingPolicy.targetName(for: entry.index)
            guard !sysfs.exists(target), claim(mac) else { continue }
            if sysfs.triggerAdd(name) {
                log.info("\(name) (\(mac)): \(target) is free now; re-triggered udev to rename it")
            } else {
                log.warning("\(name) (\(mac)): cannot re-trigger udev: \(SystemError.message(errno))")
                release(mac)
            }
        }
    }

    private func markerPath(_ mac: MACAddress) -> String {
        paths.runtime + "/retrigger-" + mac.compact
    }

    /// true for the one caller that gets to trigger.
    private func claim(_ mac: MACAddress) -> Bool {
        try? Directory.makePath(paths.runtime)
        let fd = ec2net_open(markerPath(mac), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// The interface has its final name, or is parked again.
    public func release(_ mac: MACAddress) {
        unlink(markerPath(mac))
    }
}
