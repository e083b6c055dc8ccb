import CLinux
import EC2NetCore

/// udev's database under `<root>/run/udev`: the records libudev and
/// networkd read (`data/n<ifindex>` for a network interface). A device
/// without a record has not been initialized by udev yet (its event is
/// still running, e.g. on a `tmp…` name); networkd does not configure such
/// a link, and neither does the scan.
public struct UdevDatabase {
    /// `<root>/run/udev`.
    public let directory: String

    public init(paths: Paths) { directory = paths.root + "/run/udev" }

    /// False only when `/run/udev` does not exist (ENOENT): udev is not
    /// running (a container, an image build), and sysfs is all there is.
    public func isRunning() throws(FileError) -> Bool {
        if access(directory, F_OK) == 0 { return true }
        if errno == ENOENT { return false }
        throw .operation("access", path: directory, errno: errno)
    }

    public func recordPath(interfaceIndex: Int) -> String { directory + "/data/n" + String(interfaceIndex) }

    /// The interface's record; nil only when there is none (ENOENT).
    public func record(interfaceIndex: Int) throws(FileError) -> UdevDatabaseRecord? {
        try UdevDatabase.readBytes(recordPath(interfaceIndex: interfaceIndex)).map { UdevDatabaseRecord(bytes: $0) }
    }

    /// A small file's bytes (up to 1 MiB: a record is a few hundred);
    /// nil only when it does not exist.
    static func readBytes(_ path: String) throws(FileError) -> [UInt8]? {
        let fd = ec2net_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .operation("open", path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = buf.withUnsafeMutableBytes { CLinux.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .operation("read", path: path, errno: errno) }
            if n == 0 { break }
            bytes += buf[0..<n]
        }
        return bytes
    }
}
