/// What systemd-networkd knows about a link when it picks the link's
/// .network file: the values `net_match_config()` (src/shared/net-condition.c,
/// v252) is called with from `link_get_network()` (src/network/networkd-link.c).
/// A plain value: the edge (LinkIdentityReader) fills it in, the matcher
/// only reads it.
public struct LinkIdentity: Equatable, Sendable {
    /// The kernel name (IFLA_IFNAME).
    public var name: String
    /// Alternative names (IFLA_PROP_LIST / IFLA_ALT_IFNAME), such as the
    /// `eni-…` and `device-number-D.C` names ec2net adds.
    public var altNames: [String]
    /// The hardware address (IFLA_ADDRESS); nil when the link has none.
    public var mac: MACAddress?
    /// The permanent address (IFLA_PERM_ADDRESS, else ethtool
    /// ETHTOOL_GPERMADDR); nil when the kernel reports none or all zeros,
    /// as networkd's `ethtool_get_permanent_hw_addr()` treats it (veth).
    public var permanentMAC: MACAddress?
    /// The driver as networkd 252 reads it: ethtool ETHTOOL_GDRVINFO
    /// (`link_update_driver()`), e.g. `ena`, `veth`.
    public var driver: String?
    /// networkd's `Type=` string: udev's DEVTYPE when set, else the ARPHRD
    /// name in lower case (`link_get_type_string()`, src/shared/netif-util.c):
    /// `ether` for ENA and veth alike.
    public var type: String?
    /// The rtnetlink kind (IFLA_INFO_KIND): `veth`; nil for a physical NIC.
    public var kind: String?
    /// udev's properties of the device (`sd_device_get_property_value()`):
    /// the uevent's, and the `E:` lines of /run/udev/data/n<ifindex>.
    public var properties: [String: String]

    public init(name: String, altNames: [String] = [], mac: MACAddress? = nil, permanentMAC: MACAddress? = nil,
                driver: String? = nil, type: String? = nil, kind: String? = nil, properties: [String: String] = [:]) {
        self.name = name
        self.altNames = altNames
        self.mac = mac
        self.permanentMAC = permanentMAC
        self.driver = driver
        self.type = type
        self.kind = kind
        self.properties = properties
    }

    /// The same link once it carries `names` as altnames too (ec2net adds
    /// `eni-…` and `device-number-D.C`, and networkd then matches on them).
    public func adding(altNames names: [String]) -> LinkIdentity {
        var copy = self
        for n in names where n != name && !copy.altNames.contains(n) { copy.altNames.append(n) }
        return copy
    }
}
