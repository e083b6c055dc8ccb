import CLinux

/// An open directory, used through *at() calls so that no path component
/// is followed through a symlink after it is opened.
public final class Directory {
    public let path: String
    let fd: Int32

    /// Opens `path`, creating missing components (mode 0755) when `create` is set.
    /// `followingSymlinks`: the last component may be a symlink (reading
    /// configuration, which configuration managers link; never a directory
    /// ec2net writes into).
    public init(path: String, create: Bool, followingSymlinks: Bool = false) throws(FileError) {
        self.path = path
        if create { try Directory.makePath(path) }
        let f = ec2net_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingSymlinks ? 0 : O_NOFOLLOW), 0)
        guard f >= 0 else { throw .operation("open", path: path, errno: errno) }
        fd = f
    }

    /// A directory of configuration, opened through symlinks: nil only when
    /// it does not exist (ENOENT). Any other error (EACCES, ENOTDIR, ELOOP,
    /// EIO) is an error: configuration that cannot be read is never taken
    /// for absent configuration.
    public static func configuration(_ path: String) throws(FileError) -> Directory? {
        do { return try Directory(path: path, create: false, followingSymlinks: true) } catch {
            if case .operation(_, _, let e) = error, e == ENOENT { return nil }
            throw error
        }
    }

    /// A configuration file's text, read through symlinks (the file's and
    /// its directory's): nil only when it or its directory does not exist
    /// (ENOENT); unreadable, a directory in its place or any other error
    /// throws, naming the path and the errno.
    public static func readConfiguration(_ path: String, limit: Int = 256 * 1024) throws(FileError) -> String? {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let dir = try configuration(parent) else { return nil }
        return try dir.read(name, limit: limit, followingSymlink: true)
    }

    deinit { close(fd) }

    public static func makePath(_ path: String) throws(FileError) {
        var built = path.hasPrefix("/") ? "" : "."
        for comp in path.split(separator: "/") {
            built += "/" + comp
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw .operation("mkdir", path: built, errno: errno)
            }
        }
    }

    public func entries() throws(FileError) -> [String] {
        let dup = ec2net_fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0, let d = fdopendir(dup) else { throw .operation("opendir", path: path, errno: errno) }
        defer { closedir(d) }
        rewinddir(d)
        var names: [String] = []
        while let e = readdir(d) {
            let name = String(cString: ec2net_dirent_name(e))
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Contents of a regular file, or nil if absent. A symlink is not
    /// followed unless asked (reading an admin's file; never for a file
    /// ec2net owns, whose identity a link would fake). /dev/null, networkd's
    /// mask, reads as empty.
    public func read(_ name: String, limit: Int = 1 << 20, followingSymlink: Bool = false) throws(FileError) -> String? {
        let f = ec2net_openat(fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingSymlink ? 0 : O_NOFOLLOW), 0)
        if f < 0 {
            if errno == ENOENT { return nil }
            // O_NOFOLLOW refuses a link with ELOOP: not ec2net's file. Following
            // links, ELOOP is a loop: an error like any other.
            if errno == ELOOP && !followingSymlink { throw .foreign(path: "\(path)/\(name)") }
            throw .operation("open", path: "\(path)/\(name)", errno: errno)
        }
        defer { close(f) }
        var st = stat()
        guard fstat(f, &st) == 0 else { throw .operation("stat", path: "\(path)/\(name)", errno: errno) }
        if followingSymlink && (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFCHR) { return "" }
        guard (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
            // A directory (or a FIFO...) where a file should be: for an
            // admin's file this is an error to report, not ec2net's file.
            if followingSymlink {
                let isDir = (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR)
                throw .operation("read", path: "\(path)/\(name)", errno: isDir ? EISDIR : EINVAL)
            }
            throw .foreign(path: "\(path)/\(name)")
        }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while bytes.count < limit {
            let n = buf.withUnsafeMutableBytes { CLinux.read(f, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .operation("read", path: "\(path)/\(name)", errno: errno) }
            if n == 0 { break }
            bytes += buf[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `contents` to a temporary file in this directory, syncs it and
    /// renames it over `name`: readers see the old file or the new one, never
    /// a partial one, even if the process is killed half-way.
    /// `beforeRename` runs once the bytes are synced, just before they
    /// become visible (GeneratedTree marks the reload pending there); if it
    /// throws, nothing is renamed.
    public func writeAtomically(_ name: String, contents: String, mode: mode_t = 0o644,
                                beforeRename: () throws(FileError) -> Void = {}) throws(FileError) {
        let tmp = ".\(name).tmp.\(getpid())"
        let f = ec2net_openat(fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard f >= 0 else { throw .operation("create", path: "\(path)/\(tmp)", errno: errno) }
        var ok = false
        defer { if !ok { unlinkat(fd, tmp, 0) } }
        let bytes = Array(contents.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { CLinux.write(f, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno; close(f)
                throw .operation("write", path: "\(path)/\(tmp)", errno: e)
            }
            off += n
        }
        fchmod(f, mode)
        if fsync(f) != 0 { let e = errno; close(f); throw .operation("fsync", path: "\(path)/\(tmp)", errno: e) }
        close(f)
        try beforeRename()
        guard renameat(fd, tmp, fd, name) == 0 else { throw .operation("rename", path: "\(path)/\(name)", errno: errno) }
        ok = true
        fsync(fd)
    }

    public func remove(_ name: String) throws(FileError) {
        if unlinkat(fd, name, 0) != 0 && errno != ENOENT {
            throw .operation("unlink", path: "\(path)/\(name)", errno: errno)
        }
    }
}
