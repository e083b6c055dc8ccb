import Glibc
import EC2NetCore
import EC2NetSystem

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
enum PendingRenames {
    static func retrigger(_ rt: Runtime) {
        guard rt.configuration.namingMode == .deviceIndex,
              let dir = try? Directory(path: rt.invocation.sysfs + "/class/net", create: false),
              let names = try? dir.entries() else { return }
        let map = DeviceMapStore(paths: rt.paths).load()
        for name in names where NamingPolicy.isTemporaryName(name) {
            guard let mac = try? rt.sysfs.mac(of: name), let entry = map[mac] else { continue }
            let target = NamingPolicy.targetName(for: entry.index)
            guard !rt.sysfs.exists(target), claim(mac, rt) else { continue }
            if rt.sysfs.triggerAdd(name) {
                rt.log.info("\(name) (\(mac)): \(target) is free now; re-triggered udev to rename it")
            } else {
                rt.log.warning("\(name) (\(mac)): cannot re-trigger udev: \(SystemError.message(errno))")
                release(mac, rt)
            }
        }
    }

    static func markerPath(_ mac: MACAddress, _ rt: Runtime) -> String {
        rt.paths.runtime + "/retrigger-" + mac.compact
    }

    /// true for the one caller that gets to trigger.
    static func claim(_ mac: MACAddress, _ rt: Runtime) -> Bool {
        try? Directory.makePath(rt.paths.runtime)
        let fd = open(markerPath(mac, rt), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    static func release(_ mac: MACAddress, _ rt: Runtime) {
        unlink(markerPath(mac, rt))
    }
}
