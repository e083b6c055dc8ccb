/// What an operator can set in `/etc/ec2net/ec2net.conf`. Every default is
/// upstream 2.x behaviour unless a comment says otherwise.
public struct Configuration: Equatable, Sendable {
    public enum ManageMode: String, Sendable, CaseIterable {
        case all
        case primaryOnly = "primary-only"
        case none
    }

    public enum NamingMode: String, Sendable, CaseIterable {
        /// Keep the kernel's or udev's name; export EC2_* properties only.
        case keep
        /// `ethN` by device index (for AMIs booted with net.ifnames=0).
        case deviceIndex = "device-index"
        /// ec2-ifname prints nothing.
        case off
    }

    public var manage: ManageMode = .all
    public var exclude: [ExclusionRule] = []
    public var namingMode: NamingMode = .keep
    /// nil: use the MTU that DHCP announces.
    public var mtu: Int? = nil
    public var secondaryDefaultRoutesInMain = true
    public var localPrefixes = false
    public var imdsEndpoint: String? = nil
    /// Seconds per IMDS request.
    public var imdsTimeout: Double = 2.0
    /// Seconds to wait for a hot-plugged ENI's device-number to propagate.
    public var deviceNumberTimeout: Double = 20.0
    public var setHostname = true

    public init() {}
}
