import CLinux
import EC2NetCore

/// What networkd knows of a link when it picks its .network file
/// (LinkIdentity), read from the kernel and udev's database.
public protocol LinkIdentityReading: AnyObject {
    /// nil when no such link exists (it went away): there is nothing for
    /// networkd to match then.
    func identity(of interface: String) throws(FileError) -> LinkIdentity?
}

/// Reads a LinkIdentity the way networkd 252 gathers it
/// (src/network/networkd-link.c): name, altnames, address and kind from one
/// RTM_GETLINK (`link_update()`), the permanent address by ethtool
/// ETHTOOL_GPERMADDR (`link_update_permanent_hardware_address()`; an error
/// or all zeros is "none", as networkd continues without one), the driver
/// by ethtool ETHTOOL_GDRVINFO (`link_update_driver()`), `Type=` from udev's
/// DEVTYPE else the ARPHRD name (`link_get_type_string()`), and udev's
/// properties (the uevent and /run/udev/data/n<ifindex>).
///
/// Without a kernel (`--root`: the tree is not this host's) there are no
/// altnames, no kind and no permanent address; MAC and driver come from the
/// tree's sysfs. Reading errors other than ENOENT are errors.
public final class KernelLinkIdentityReader: LinkIdentityReading {
    private let sysfs: Sysfs
    private let udev: UdevDatabase
    /// The kernel to ask, read on the first identity asked for (the run's
    /// channel, HostKernel): nil when the kernel is not the tree's
    /// (`--root`); an error when it is the host's and cannot be asked.
    public typealias ChannelSource = () throws(FileError) -> NetlinkChannel?
    private let channel: ChannelSource

    public init(sysfs: Sysfs, paths: Paths, channel: @escaping ChannelSource) {
        self.sysfs = sysfs
        udev = UdevDatabase(paths: paths)
        self.channel = channel
    }

    /// A reader over a channel already open (nil: `--root`), or over a host
    /// kernel that could not be asked (`channelError`: every read throws it).
    public convenience init(sysfs: Sysfs, paths: Paths, channel: NetlinkChannel?, channelError: FileError? = nil) {
        self.init(sysfs: sysfs, paths: paths) { () throws(FileError) -> NetlinkChannel? in
            if let channelError { throw channelError }
            return channel
        }
    }

    /// The reader for `paths`: the kernel's only when the paths are the host's.
    /// On the host, a socket that does not open is an error of every read,
    /// not "no kernel evidence": without it the altnames, kind and permanent
    /// address an admin's `[Match]` may name are unknown, so a file that
    /// claims the link would not be seen and ec2net would configure a link
    /// that is not its own (ownership by evidence, issue 20; only ENOENT is
    /// absent, issue 21). The caller fails closed on the error as on any
    /// unreadable claim.
    public static func forHost(sysfs: Sysfs, paths: Paths) -> KernelLinkIdentityReader {
        guard paths.isRealRoot else { return KernelLinkIdentityReader(sysfs: sysfs, paths: paths, channel: nil) }
        do {
            return KernelLinkIdentityReader(sysfs: sysfs, paths: paths, channel: NetlinkChannel(transport: try NetlinkSocket()))
        } catch {
            return KernelLinkIdentityReader(sysfs: sysfs, paths: paths, channel: nil,
                                            channelError: .operation("socket", path: "rtnetlink", errno: error.errnoValue))
        }
    }

    public func identity(of interface: String) throws(FileError) -> LinkIdentity? {
        let kernel = try channel()
        var link = LinkIdentity(name: interface)
        let directory = sysfs.path(interface, "")
        if access(directory, F_OK) != 0 {
            if errno == ENOENT { return nil }
            throw .operation("access", path: directory, errno: errno)
        }
        let uevent = KernelLinkIdentityReader.keyValues(try read(sysfs.path(interface, "uevent")))
        if let channel = kernel {
            guard try readNetlink(interface, channel, into: &link) else { return nil }
            link.permanentMAC = KernelLinkIdentityReader.permanentAddress(interface)
            var buffer = [CChar](repeating: 0, count: 64)
            if ec2net_ethtool_driver(interface, &buffer, buffer.count) == 0 {
                let d = KernelLinkIdentityReader.string(buffer.map { UInt8(bitPattern: $0) })
                link.driver = d.isEmpty ? nil : d
            }
        } else {
            if let text = try read(sysfs.path(interface, "address")) {
                link.mac = try? MACAddress(parsing: text.hasSuffix("\n") ? String(text.dropLast()) : text)
            }
            link.driver = sysfs.driver(of: interface)
        }
        if let devtype = uevent["DEVTYPE"], !devtype.isEmpty {
            link.type = devtype
        } else if let t = try read(sysfs.path(interface, "type")), let n = Int(t.hasSuffix("\n") ? String(t.dropLast()) : t) {
            link.type = KernelLinkIdentityReader.hardwareTypeName(n)
        }
        var properties = uevent
        properties["SUBSYSTEM"] = "net"
        if let index = uevent["IFINDEX"].flatMap({ Int($0) }), let record = try udev.record(interfaceIndex: index) {
            for p in record.properties { properties[p.key] = p.value }
        }
        link.properties = properties
        return link
    }

    /// False when the kernel has no such link (ENODEV).
    private func readNetlink(_ interface: String, _ channel: NetlinkChannel, into link: inout LinkIdentity) throws(FileError) -> Bool {
        var m = NetlinkMessage(type: RTNetlink.MessageType.getLink, flags: RTNetlink.Flag.request,
                               sequence: channel.nextSequence(), header: InterfaceInfoMessage(family: UInt8(AF_UNSPEC)))
        m.attribute(RTNetlink.LinkAttribute.name, string: interface)
        let reply: NetlinkReply
        do { reply = try channel.single(m, operation: "get link \(interface)") } catch {
            if error.errnoValue == ENODEV { return false }
            throw .operation("RTM_GETLINK", path: interface, errno: error.errnoValue)
        }
        for a in reply.attributes(after: InterfaceInfoMessage.self) {
            switch a.type {
            case RTNetlink.LinkAttribute.address where a.value.count == 6: link.mac = MACAddress(bytes: a.value)
            case RTNetlink.LinkAttribute.propertyList:
                for p in NetlinkReply.attributes(in: a.value, from: 0) where p.type == RTNetlink.LinkAttribute.alternativeName {
                    link.altNames.append(KernelLinkIdentityReader.string(p.value))
                }
            case 18:  // IFLA_LINKINFO, nested IFLA_INFO_KIND (1)
                for i in NetlinkReply.attributes(in: a.value, from: 0) where i.type == 1 {
                    link.kind = KernelLinkIdentityReader.string(i.value)
                }
            default: break
            }
        }
        return true
    }

    static func permanentAddress(_ interface: String) -> MACAddress? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = ec2net_ethtool_permanent_address(interface, &bytes, bytes.count)
        return n == 6 ? MACAddress(bytes: Array(bytes[0..<6])) : nil
    }

    /// `arphrd_to_name()` lower-cased, for the types a VM's links have.
    static func hardwareTypeName(_ type: Int) -> String? {
        switch type {
        case 1: return "ether"
        case 32: return "infiniband"
        case 768: return "tunnel"
        case 769: return "tunnel6"
        case 772: return "loopback"
        case 776: return "sit"
        case 778: return "ipgre"
        case 823: return "ip6gre"
        case 65534: return "none"
        default: return nil
        }
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func keyValues(_ text: String?) -> [String: String] {
        var out: [String: String] = [:]
        for line in (text ?? "").split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    /// A small file's text; nil only when it does not exist.
    private func read(_ path: String) throws(FileError) -> String? {
        try UdevDatabase.readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
