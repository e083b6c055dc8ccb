import EC2NetCore

/// Where `ec2net status` reads the kernel's links, addresses, rules and
/// routes: rtnetlink on a host, a fixed snapshot in tests.
public protocol KernelStateReader: AnyObject {
    func snapshot() throws(NetlinkError) -> KernelSnapshot
}
