import EC2NetCore

/// An administrator's own .network files in /etc/systemd/network. If one of
/// them claims an interface, ec2net steps aside for that interface whatever
/// the file is called: the admin's file keeps winning. What a claim is:
/// NetworkMatch.claims (a match naming this one interface, by its MAC or its
/// exact name or altname; a class of interfaces, such as a copy of the base
/// file with `Driver=` and `Name=!tmp*`, is not one).
///
/// Read as networkd reads them: the directory and the files through
/// symlinks (configuration managers and NixOS-style /etc link them; ec2net
/// still never writes through one), each file with its drop-ins
/// (`NAME.network.d/*.conf` in /etc, /run, /usr/local/lib, /usr/lib; a name
/// in a higher directory hides the same name below; applied in name order,
/// `config_parse_many()`), an empty file or a `/dev/null` link (a mask) is
/// no file (`null_or_empty_path()`). What cannot be read is an error, never
/// "no claim": ec2net would otherwise write a file that wins over the admin's.
public struct AdminNetworkFiles {
    public let paths: Paths

    public init(paths: Paths) { self.paths = paths }

    /// The path of the admin file claiming the link, if any. The link is
    /// read once there is a file to match it against: on a host without
    /// admin files, not at all (no netlink channel opened for it).
    public func claimant(_ link: @autoclosure () throws(FileError) -> LinkIdentity) throws(FileError) -> String? {
        let directory = paths.adminNetworkd
        guard let dir = try Directory.configuration(directory) else { return nil }
        var known: LinkIdentity? = nil
        for name in try dir.entries() where name.hasSuffix(".network") {
            // A file of ec2net's own name here masks ec2net's runtime file on purpose; that too is the admin's choice.
            guard let match = try match(of: name, in: dir) else { continue }
            let l: LinkIdentity
            if let known { l = known } else { l = try link(); known = l }
            if match.claims(l) { return directory + "/" + name }
        }
        return nil
    }

    /// The [Match] of the admin file `name` with its drop-ins; nil when the
    /// file is absent, empty or masked.
    public func match(of name: String) throws(FileError) -> NetworkMatch? {
        guard let dir = try Directory.configuration(paths.adminNetworkd) else { return nil }
        return try match(of: name, in: dir)
    }

    private func match(of name: String, in dir: Directory) throws(FileError) -> NetworkMatch? {
        guard let text = try dir.read(name, limit: 256 * 1024, followingSymlink: true), !text.isEmpty else { return nil }
        return NetworkMatch(parsing: [text] + (try dropIns(of: name)))
    }

    /// The texts of a file's drop-ins, in the order networkd applies them.
    func dropIns(of name: String) throws(FileError) -> [String] {
        var chosen: [String: String] = [:]  // drop-in name -> text, the highest directory's
        for base in paths.networkdDirectories {
            guard let dir = try Directory.configuration(base + "/" + name + ".d") else { continue }
            for entry in try dir.entries() where entry.hasSuffix(".conf") && chosen[entry] == nil {
                guard let text = try dir.read(entry, limit: 256 * 1024, followingSymlink: true) else { continue }
                chosen[entry] = text
            }
        }
        return chosen.keys.sorted().compactMap { chosen[$0] }.filter { !$0.isEmpty }
    }
}
