import CLinux

/// Sets the kernel hostname: sethostname(2) in the programs, a recorder in tests.
public protocol HostnameSetter: AnyObject {
    func setHostname(_ name: String) throws(FileError)
}

/// sethostname(2): no hostnamectl, no shell.
public final class KernelHostname: HostnameSetter {
    public init() {}

    public func setHostname(_ name: String) throws(FileError) {
        let bytes = Array(name.utf8)
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { sethostname($0.baseAddress!, $0.count) }
        }
        guard rc == 0 else { throw .operation("sethostname", path: name, errno: errno) }
    }
}
