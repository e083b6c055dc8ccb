import CLinux

/// Alternative interface names (`eni-…`, `device-number-D.C`) added over
/// rtnetlink, as `ip link property add` would, without iproute2.
public protocol LinkControl: AnyObject {
    func addAltName(_ altName: String, interface: String) throws(NetlinkError) -> AltNameOutcome
}

public enum AltNameOutcome: Equatable {
    case added
    case alreadyPresent
    /// Another interface holds that name: a warning, never fatal.
    case heldBy(String)
}

public final class AltNames: LinkControl {
    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// The RTM_NEWLINKPROP request for one altname, byte for byte.
    public static func message(interfaceIndex: Int32, altName: String, sequence: UInt32) -> NetlinkMessage {
        let flags = RTNetlink.Flag.request | RTNetlink.Flag.ack | RTNetlink.Flag.create | RTNetlink.Flag.exclusive
            | RTNetlink.Flag.append
        var m = NetlinkMessage(type: RTNetlink.MessageType.newLinkProperty, flags: flags, sequence: sequence,
                               header: InterfaceInfoMessage(family: UInt8(AF_UNSPEC), index: interfaceIndex))
        m.nested(RTNetlink.LinkAttribute.propertyList) { $0.attribute(RTNetlink.LinkAttribute.alternativeName, string: altName) }
        return m
    }

    /// RTM_GETLINK by altname (IFLA_ALT_IFNAME), byte for byte.
    public static func lookupMessage(altName: String, sequence: UInt32) -> NetlinkMessage {
        var m = NetlinkMessage(type: RTNetlink.MessageType.getLink, flags: RTNetlink.Flag.request, sequence: sequence,
                               header: InterfaceInfoMessage(family: UInt8(AF_UNSPEC)))
        m.attribute(RTNetlink.LinkAttribute.alternativeName, string: altName)
        return m
    }

    /// The ifindex holding `altName`, or 0 when no interface does.
    func index(ofAltName altName: String) throws(NetlinkError) -> UInt32 {
        do {
            let r = try channel.single(AltNames.lookupMessage(altName: altName, sequence: channel.nextSequence()),
                                       operation: "look up altname \(altName)")
            guard let h = r.header(InterfaceInfoMessage.self) else { return 0 }
            return UInt32(bitPattern: h.index)
        } catch let e where e.errnoValue == ENODEV {
            return 0
        }
    }

    public func addAltName(_ altName: String, interface: String) throws(NetlinkError) -> AltNameOutcome {
        let ours = if_nametoindex(interface)
        guard ours != 0 else { throw .kernel(errno: ENODEV, operation: "altname \(altName) for \(interface)") }
        // Interface names and altnames share one namespace, so a lookup by
        // the altname tells who holds it. Not if_nametoindex: glibc refuses
        // names of 16 bytes or more, and both of ec2net's altnames are.
        let holder = try index(ofAltName: altName)
        if holder == ours { return .alreadyPresent }
        if holder != 0 {
            var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
            let name = if_indextoname(holder, &buf).map { String(cString: $0) } ?? "ifindex \(holder)"
            return .heldBy(name)
        }
        let m = AltNames.message(interfaceIndex: Int32(ours), altName: altName, sequence: channel.nextSequence())
        do {
            try channel.acknowledge(m, operation: "add altname \(altName) to \(interface)")
        } catch let e where e.errnoValue == EEXIST {
            return .alreadyPresent
        }
        return .added
    }
}
