import CLinux
import EC2NetCore

/// The naming map on disk (`/var/lib/ec2net/interfaces`), updated under a
/// lock so concurrent ec2-plug runs do not lose each other's entries.
public final class DeviceMapStore {
    private let paths: Paths

    public init(paths: Paths) { self.paths = paths }

    /// The map on disk; empty only when it (or its directory) does not
    /// exist yet. Any other error throws: an unreadable map is not an empty one.
    public func load() throws(FileError) -> DeviceMap {
        guard let text = try Self.readFile(paths.deviceMap) else { return DeviceMap() }
        return DeviceMap(parsing: text)
    }

    /// The map's text, not followed through a symlink (ec2net keeps this
    /// file itself); nil only when it or its directory is absent (ENOENT).
    static func readFile(_ path: String) throws(FileError) -> String? {
        let slash = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let dir: Directory
        do { dir = try Directory(path: slash.isEmpty ? "/" : slash, create: false) } catch {
            if case .operation(_, _, let e) = error, e == ENOENT { return nil }
            throw error
        }
        return try dir.read(name, limit: 256 * 1024)
    }

    /// Records what IMDS confirmed; writes only when the entry changed.
    @discardableResult
    public func record(_ m: InterfaceMetadata, until deadline: WaitDeadline?) throws(FileError) -> Bool {
        let dir = try Directory(path: paths.state, create: true)
        let lock = try FileLock(path: paths.state + "/.interfaces.lock")
        try lock.lock(.exclusive, until: deadline)
        defer { lock.unlock() }
        var map = try load()
        let entry = DeviceMap.Entry(index: m.index, interfaceID: m.interfaceID)
        guard map[m.mac] != entry else { return false }
        map[m.mac] = entry
        try dir.writeAtomically("interfaces", contents: map.render())
        return true
    }
}
