import EC2NetCore

/// Removal fails closed: an ENI's config goes only when its MAC is
/// positively on no interface, judged under the MAC's lock (so a plug of
/// the same ENI cannot interleave) from sysfs read then, with each file's
/// header read again then (GeneratedTree.remove). A sysfs that cannot be
/// read removes nothing.
public struct InterfaceRemoval {
    public let tree: GeneratedTree
    public let paths: Paths
    public let sysfs: Sysfs
    public let lockDeadline: WaitDeadline?

    public init(tree: GeneratedTree, paths: Paths, sysfs: Sysfs, lockDeadline: WaitDeadline?) {
        self.tree = tree
        self.paths = paths
        self.sysfs = sysfs
        self.lockDeadline = lockDeadline
    }

    public enum Result: Equatable {
        /// The MAC is on these interfaces: nothing removed.
        case present([String])
        /// The files removed (none when there were none).
        case removed([String])
    }

    /// - Parameter except: the interface being unplugged (its remove event
    ///   may run while sysfs still lists it).
    public func removeIfGone(_ mac: MACAddress, except: String? = nil) throws(PipelineError) -> Result {
        var failure: SysfsError? = nil
        let result = try PipelineError.files { () throws(FileError) -> Result in
            try InterfaceLock.holding(mac, paths: paths, until: lockDeadline) { () throws(FileError) -> Result in
                let carriers: [String]
                do throws(SysfsError) { carriers = try SysfsDevices(sysfs: sysfs, drivers: []).interfaces(with: mac) } catch {
                    failure = error
                    return .present([])
                }
                let others = carriers.filter { $0 != except }
                if !others.isEmpty { return .present(others) }
                return .removed(try tree.remove(mac: mac).removed)
            }
        }
        if let failure { throw .sysfs(failure) }
        return result
    }
}
