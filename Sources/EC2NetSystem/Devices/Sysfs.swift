import CLinux
import EC2NetCore

/// Reads network device attributes from sysfs (`/sys` unless redirected).
public struct Sysfs {
    public let root: String

    public init(root: String) { self.root = root }

    public func path(_ interface: String, _ attribute: String) -> String {
        "\(root)/class/net/\(interface)/\(attribute)"
    }

    public func exists(_ interface: String) -> Bool {
        access("\(root)/class/net/\(interface)", F_OK) == 0
    }

    public func mac(of interface: String) throws(AddressError) -> MACAddress? {
        guard let text = Sysfs.readSmall(path(interface, "address")) else { return nil }
        return try MACAddress(parsing: text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// The interface's MAC; nil only when its `address` is absent (ENOENT:
    /// the device went away). Any other read error throws.
    public func presentMAC(of interface: String) throws(SysfsError) -> MACAddress? {
        let text: String?
        do { text = try Sysfs.readAttribute(path(interface, "address")) } catch { throw .unreadable(error) }
        guard let text else { return nil }
        do { return try MACAddress(parsing: text.hasSuffix("\n") ? String(text.dropLast()) : text) } catch {
            throw .badMAC(interface: interface, error)
        }
    }

    /// The driver's name; nil when the device has no `device/driver` link
    /// (ENOENT: a virtual device, or it went away). Any other error throws.
    public func presentDriver(of interface: String) throws(SysfsError) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let p = path(interface, "device/driver")
        let n = readlink(p, &buf, buf.count - 1)
        if n < 0 {
            if errno == ENOENT { return nil }
            throw .unreadable(.operation("readlink", path: p, errno: errno))
        }
        let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// Virtual devices (veth, bridges, VLANs, tunnels) have no `device` link.
    public func isPhysical(_ interface: String) -> Bool {
        access(path(interface, "device"), F_OK) == 0
    }

    /// The kernel driver bound to the device (`ena`, `ixgbevf`, `vif`), if any.
    public func driver(of interface: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path(interface, "device/driver"), &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// The interface's index; nil only when `ifindex` is absent (ENOENT:
    /// the device went away). Any other read error throws.
    public func presentInterfaceIndex(of interface: String) throws(SysfsError) -> Int? {
        let p = path(interface, "ifindex")
        let text: String?
        do { text = try Sysfs.readAttribute(p) } catch { throw .unreadable(error) }
        guard let text else { return nil }
        guard let index = Int(text.hasSuffix("\n") ? String(text.dropLast()) : text) else {
            throw .unreadable(.operation("parse", path: p, errno: EINVAL))
        }
        return index
    }

    public func interfaceIndex(of interface: String) -> Int? {
        guard let t = Sysfs.readSmall(path(interface, "ifindex")) else { return nil }
        return Int(t.hasSuffix("\n") ? String(t.dropLast()) : t)
    }

    /// A small attribute's text; nil only for ENOENT.
    static func readAttribute(_ path: String) throws(FileError) -> String? {
        let fd = ec2net_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .operation("open", path: path, errno: errno)
        }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == ENOENT { return nil }
            throw .operation("read", path: path, errno: errno)
        }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

    static func readSmall(_ path: String) -> String? {
        let fd = ec2net_open(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }
}

extension Sysfs {
    /// Asks the kernel to replay an `add` uevent for the device, as
    /// `udevadm trigger --action=add` does, without starting udevadm.
    public func triggerAdd(_ interface: String) -> Bool {
        let fd = ec2net_open(path(interface, "uevent"), O_WRONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "add", 3) == 3
    }
}
