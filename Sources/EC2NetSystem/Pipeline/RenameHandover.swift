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
    /// Only absence (ENOENT) is quietly nothing to do; any other error
    /// reading sysfs, the map or the marker directory is logged with its
    /// path and errno and triggers nothing (the interface stays parked
    /// until the next plug or scan retries: a re-trigger is never a guess).
    public func retrigger() {
        let names: [String]
        let map: DeviceMap
        do throws(FileError) {
            guard let dir = try Directory.configuration(sysfs.root + "/class/net") else { return }
            names = try dir.entries()
            guard names.contains(where: NamingPolicy.isTemporaryName) else { return }
            map = try DeviceMapStore(paths: paths).load()
        } catch {
            log.warning("cannot look for parked interfaces to re-trigger: \(error)")
            return
        }
        for name in names where NamingPolicy.isTemporaryName(name) {
            let mac: MACAddress
            do throws(SysfsError) {
                guard let m = try sysfs.presentMAC(of: name) else { continue }  // gone meanwhile
                mac = m
            } catch {
                log.warning("\(name): not re-triggered: \(error)")
                continue
            }
            guard let entry = map[mac] else { continue }
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

    /// true for the one caller that gets to trigger. EEXIST is the other
    /// party's claim; any other error is logged (no trigger without a claim).
    private func claim(_ mac: MACAddress) -> Bool {
        do throws(FileError) { try Directory.makePath(paths.runtime) } catch {
            log.warning("\(mac): not re-triggered: \(error)")
            return false
        }
        let fd = ec2net_open(markerPath(mac), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno != EEXIST { log.warning("\(mac): not re-triggered: create \(markerPath(mac)): \(SystemError.message(errno))") }
            return false
        }
        close(fd)
        return true
    }

    /// The interface has its final name, or is parked again.
    public func release(_ mac: MACAddress) {
        unlink(markerPath(mac))
    }
}
