import EC2NetCore

/// The per-MAC lock every change to one ENI's files is made under (write,
/// refresh, removal), so a plug, an unplug and a scan of the same ENI never
/// interleave. The lock file lives in ec2net's run directory, which is
/// created here rather than assumed.
public enum InterfaceLock {
    public static func holding<T>(_ mac: MACAddress, paths: Paths, until deadline: WaitDeadline?,
                                  _ body: () throws(FileError) -> T) throws(FileError) -> T {
        try Directory.makePath(paths.runtime)
        let lock = try FileLock(path: paths.runtime + "/lock-" + mac.compact)
        try lock.lock(.exclusive, until: deadline)
        defer { lock.unlock() }
        return try body()
    }
}
