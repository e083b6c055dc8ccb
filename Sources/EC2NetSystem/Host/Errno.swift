import CLinux

/// errno(3), a macro C-side: the Glibc overlay's `errno` is absent from the
/// Embedded build, so both builds read it through the CLinux shim.
var errno: Int32 {
    get { ec2net_errno() }
    set { ec2net_set_errno(newValue) }
}
