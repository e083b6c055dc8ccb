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

    /// Marked just before every rename or unlink in the directory, so a
    /// change is pending for networkd from the moment it is visible (nil: a
    /// reader).
    private let pending: PendingReload?
    /// Where the temporary-file sweep says what it could not do (nil: a reader).
    private let log: Log?

    /// - Parameters:
    ///   - create: false for readers (`ec2net status`), which must not create the directory.
    ///   - pending: the reload marker of the run directory; every writer passes it.
    ///   - log: for the sweep of killed writers' temporaries, whose failure stops nothing.
    public init(path: String, create: Bool = true, pending: PendingReload? = nil, log: Log? = nil) throws(FileError) {
        directory = try Directory(path: path, create: create)
        self.pending = pending
        self.log = log
    }

    /// The files ec2net wrote, read from the directory on every call (no
    /// cache: another ec2net process may have written or removed one since;
    /// apply and remove(mac:) run under the MAC's lock and must see that).
    /// A file that vanished meanwhile is skipped; a symlink at one of
    /// ec2net's names is not ec2net's; any other read error throws, since a
    /// header that cannot be read is not evidence of anything.
    public func owned() throws(FileError) -> [OwnedFile] {
        var out: [OwnedFile] = []
        for name in try directory.entries() where Ownership.isCandidateName(name) {
            if let mac = try owner(ofFile: name) { out.append(OwnedFile(name: name, mac: mac)) }
        }
        return out
    }

    /// The MAC a file's header names; nil when the file is absent (ENOENT),
    /// a symlink, or not ec2net's.
    private func owner(ofFile name: String) throws(FileError) -> MACAddress? {
        let text: String?
        do { text = try directory.read(name, limit: 256) } catch {
            if case .foreign = error { return nil }
            throw error
        }
        return text.flatMap { Ownership.owner(ofContents: Substring($0)) }
    }

    private func markPending() throws(FileError) { try pending?.mark() }

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
            try directory.writeAtomically(file.name, contents: file.contents) { () throws(FileError) in try markPending() }
            change.written.append(file.name)
        }
        let names = Set(wanted.map { $0.name })
        for f in try owned() where f.mac == mac && !names.contains(f.name) {
            try markPending()
            try directory.remove(f.name)
            change.removed.append(f.name)
        }
        return change
    }

    /// Removes this MAC's files, judged by headers read now (owned(), under
    /// the caller's MAC lock), so a file another process rewrote for
    /// another MAC since this run started is not removed.
    public func remove(mac: MACAddress) throws(FileError) -> Change {
        var change = Change()
        for f in try owned() where f.mac == mac {
            try markPending()
            try directory.remove(f.name)
            change.removed.append(f.name)
        }
        return change
    }

    /// The MAC of the file ec2net wrote for `interface`, if any; a header
    /// that cannot be read (other than absent) throws.
    public func owner(ofInterface interface: String) throws(FileError) -> MACAddress? {
        try owner(ofFile: Ownership.fileName(interface: interface))
    }

    /// A writer killed between create and rename leaves `.NAME.tmp.PID`;
    /// networkd ignores it (wrong suffix), and the next writer removes it
    /// once that PID is gone. A leftover only costs a directory entry, so a
    /// sweep that fails (other than a file already gone, ENOENT, which
    /// `remove` ignores) is logged and the write goes on.
    private func removeStaleTemporaries() {
        let names: [String]
        do { names = try directory.entries() } catch {
            log?.warning("cannot sweep killed writers' temporary files: \(error)")
            return
        }
        for name in names where name.hasPrefix("." + Ownership.prefix) {
            guard let dot = name.lastIndex(of: "."), let pid = Int32(name[name.index(after: dot)...]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                do { try directory.remove(name) } catch {
                    log?.warning("cannot remove a killed writer's temporary file: \(error)")
                }
            }
        }
    }
}
