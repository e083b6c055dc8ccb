import EC2NetCore

/// Why the list of interfaces could not be taken. Only an absent entry
/// (ENOENT: the device went away) is "not there"; every other error leaves
/// the list unknown, and an unknown list removes nothing.
public enum SysfsError: Error, CustomStringConvertible {
    /// `class/net` or a device's attribute could not be read (path, errno).
    case unreadable(FileError)
    /// A device's `address` does not parse: cannot happen on a real kernel.
    case badMAC(interface: String, AddressError)

    public var description: String {
        switch self {
        case .unreadable(let e): return "sysfs: \(e)"
        case .badMAC(let i, let e): return "\(i): sysfs address: \(e)"
        }
    }
}
