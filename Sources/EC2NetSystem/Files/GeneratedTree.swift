import CLinux
import EC2NetCore

/// The files ec2net owns in the networkd runtime directory. Ownership is
/// read from each file's first line, so ec2net never touches a file it did
/// not write, and finds its config by MAC whatever the interface is called.
public final class GeneratedTree {
    public let directory: Directory

    public struct OwnedFile: Equatable {
        public let name: String
        public let mac: MACAddress
        public var interface: String { Ownership.interfaceName(fromFileName: name) ?? name }
    }

    public struct Change: Equatable {
        public var written: [String] = []
        public var removed: [String] = []
        public var isEmpty: Bool { written.isEmpty && removed.isEmpty }
    }

    /// - Parameter create: false for readers (`ec2net status`), which must not create the directory.
    public init(path: String, create: Bool = true) throws(FileError) {
        directory = try Directory(path: path, create: create)
    }

    /// What owned() found, kept up to date by this object's own writes and
    /// removals, so a scan of N ENIs reads the directory once, not N times.
    private var ownedCache: [OwnedFile]? = nil

    public func owned() throws(FileError) -> [OwnedFile] {
        if let c = ownedCache { return c }
        var out: [OwnedFile] = []
        for name in try directory.entries() where Ownership.isCandidateName(name) {
            guard let text = try? directory.read(name, limit: 256),
                  let mac = Ownership.owner(ofContents: Substring(text)) else { continue }
            out.append(OwnedFile(name: name, mac: mac))
        }
        ownedCache = out
        return out
    }

    private func remember(written name: String, mac: MACAddress) {
        guard var c = ownedCache else { return }
        c.removeAll { $0.name == name }
        c.append(OwnedFile(name: name, mac: mac))
        ownedCache = c
    }

    private func remember(removed name: String) {
        ownedCache?.removeAll { $0.name == name }
    }

    /// Makes the directory hold exactly `wanted` for `mac`: writes what
    /// differs, removes this MAC's files under other names (an older
    /// interface name, upstream #166). Unchanged files are not touched.
    public func apply(_ wanted: [GeneratedFile], mac: MACAddress) throws(FileError) -> Change {
        var change = Change()
        removeStaleTemporaries()
        for file in wanted {
            let existing = try directory.read(file.name)
            if let existing {
                guard Ownership.owner(ofContents: Substring(existing)) != nil else {
                    throw .foreign(path: "\(directory.path)/\(file.name)")
                }
                if existing == file.contents { continue }
            }
            try directory.writeAtomically(file.name, contents: file.contents)
            remember(written: file.name, mac: mac)
            change.written.append(file.name)
        }
        let names = Set(wanted.map { $0.name })
        for f in try owned() where f.mac == mac && !names.contains(f.name) {
            try directory.remove(f.name)
            remember(removed: f.name)
            change.removed.append(f.name)
        }
        return change
    }

    public func remove(mac: MACAddress) throws(FileError) -> Change {
        var change = Change()
        for f in try owned() where f.mac == mac {
            try directory.remove(f.name)
            remember(removed: f.name)
            change.removed.append(f.name)
        }
        return change
    }

    /// The MAC of the file ec2net wrote for `interface`, if any.
    public func owner(ofInterface interface: String) throws(FileError) -> MACAddress? {
        let name = Ownership.fileName(interface: interface)
        guard let text = try? directory.read(name, limit: 256) else { return nil }
        return Ownership.owner(ofContents: Substring(text))
    }

    /// A writer killed between create and rename leaves `.NAME.tmp.PID`;
    /// networkd ignores it (wrong suffix), and the next writer removes it
    /// once that PID is gone.
    private func removeStaleTemporaries() {
        guard let names = try? directory.entries() else { return }
        for name in names where name.hasPrefix("." + Ownership.prefix) {
            guard let dot = name.lastIndex(of: "."), let pid = Int32(name[name.index(after: dot)...]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? directory.remove(name)
            }
        }
    }
}
