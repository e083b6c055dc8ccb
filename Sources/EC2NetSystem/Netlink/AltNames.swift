import Glibc

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
    static let RTM_NEWLINKPROP: UInt16 = 108
    static let IFLA_PROP_LIST: UInt16 = 52
    static let IFLA_ALT_IFNAME: UInt16 = 53

    private let channel: NetlinkChannel

    public init(channel: NetlinkChannel) { self.channel = channel }

    /// The RTM_NEWLINKPROP request for one altname, byte for byte.
    public static func message(interfaceIndex: Int32, altName: String, sequence: UInt32) -> NetlinkMessage {
        var m = NetlinkMessage(type: RTM_NEWLINKPROP,
                               flags: NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK | NetlinkMessage.NLM_F_CREATE
                                   | NetlinkMessage.NLM_F_EXCL | NetlinkMessage.NLM_F_APPEND,
                               sequence: sequence)
        // struct ifinfomsg: family, pad, type, index, flags, change
        m.append8(UInt8(AF_UNSPEC)); m.append8(0); m.append16(0)
        m.appendInt32(interfaceIndex); m.append32(0); m.append32(0)
        m.nested(IFLA_PROP_LIST) { $0.attribute(IFLA_ALT_IFNAME, string: altName) }
        return m
    }

    static let RTM_GETLINK: UInt16 = 18

    /// RTM_GETLINK by altname (IFLA_ALT_IFNAME), byte for byte.
    public static func lookupMessage(altName: String, sequence: UInt32) -> NetlinkMessage {
        var m = NetlinkMessage(type: RTM_GETLINK, flags: NetlinkMessage.NLM_F_REQUEST, sequence: sequence)
        m.append8(UInt8(AF_UNSPEC)); m.append8(0); m.append16(0)
        m.appendInt32(0); m.append32(0); m.append32(0)
        m.attribute(IFLA_ALT_IFNAME, string: altName)
        return m
    }

    /// The ifindex holding `altName`, or 0 when no interface does.
    func index(ofAltName altName: String) throws(NetlinkError) -> UInt32 {
        do {
            let r = try channel.single(AltNames.lookupMessage(altName: altName, sequence: channel.nextSequence()),
                                       operation: "look up altname \(altName)")
            guard r.payload.count >= 16 else { return 0 }
            return UInt32(bitPattern: Int32(bitPattern: NetlinkReply.read32(r.payload, 4)))
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
