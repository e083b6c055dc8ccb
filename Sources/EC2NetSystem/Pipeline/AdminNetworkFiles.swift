import EC2NetCore

/// An administrator's own .network files in /etc/systemd/network. If one of
/// them claims an interface, ec2net steps aside for that interface whatever
/// the file is called: the admin's file keeps winning. What a claim is:
/// NetworkMatch.claims (a match naming this one interface, by its MAC or its
/// exact name; a class of interfaces, such as a copy of the base file with
/// `Driver=` and `Name=!tmp*`, is not one).
///
/// Files are read through symlinks (configuration management often links
/// `/etc/systemd/network/10-eth1.network` to a file elsewhere, and networkd
/// follows them); ec2net still never writes through one.
public struct AdminNetworkFiles {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The admin file claiming the interface, if any.
    public func claimant(mac: MACAddress, interface: String) -> String? {
        guard let dir = try? Directory(path: directory, create: false), let names = try? dir.entries() else { return nil }
        for name in names where name.hasSuffix(".network") {
            // A file of ec2net's own name here masks ec2net's runtime file on purpose; that too is the admin's choice.
            guard let text = try? dir.read(name, limit: 256 * 1024, followingSymlink: true) else { continue }
            if NetworkMatch(parsing: text).claims(mac: mac, interface: interface) { return directory + "/" + name }
        }
        return nil
    }
}
