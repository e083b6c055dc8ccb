import Glibc
import EC2NetCore
import EC2NetSystem

/// The second half of the collision strategy in NamingPolicy: after a
/// rename, an interface parked on a temporary name whose target is free now
/// gets a new `add` event (written to its sysfs `uevent`, as udevadm
/// trigger does), so ec2-ifname names it again.
enum PendingRenames {
    static func retrigger(_ rt: Runtime) {
        guard rt.configuration.namingMode == .deviceIndex,
              let dir = try? Directory(path: rt.invocation.sysfs + "/class/net", create: false),
              let names = try? dir.entries() else { return }
        let map = DeviceMapStore(paths: rt.paths).load()
        for name in names where NamingPolicy.isTemporaryName(name) {
            guard let mac = try? rt.sysfs.mac(of: name), let entry = map[mac] else { continue }
            let target = NamingPolicy.targetName(for: entry.index)
            guard !rt.sysfs.exists(target) else { continue }
            if rt.sysfs.triggerAdd(name) {
                rt.log.info("\(name) (\(mac)): \(target) is free now; re-triggered udev to rename it")
            } else {
                rt.log.warning("\(name) (\(mac)): cannot re-trigger udev: \(SystemError.message(errno))")
            }
        }
    }
}
