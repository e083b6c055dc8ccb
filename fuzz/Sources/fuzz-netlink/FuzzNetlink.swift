import EC2NetCore
import EC2NetSystem
import FuzzSupport

// Kernel replies -> NetlinkReply.split / attributes, and the rule and route
// dumps (PolicyRuleTable.rules, DefaultRoutes.preferred) over a
// transport that replays the input as 1..8 datagrams, then NLMSG_DONE.
// Input: [flags][piece count][cuts...][datagram bytes]. Flag bit 0: stamp
// each message with the request's sequence number (so mutations need not
// guess it).
// Properties: no trap, no endless dump; every message and attribute lies
// inside its datagram; and every decoded rule whose selectors are all
// known survives RTM_DELRULE bytes -> dump parse unchanged.

final class Replay: NetlinkTransport {
    let datagrams: [[UInt8]]
    let stamp: Bool
    var next = 0
    var sequence: UInt32 = 0
    var receives = 0

    init(_ datagrams: [[UInt8]], stamp: Bool) {
        self.datagrams = datagrams
        self.stamp = stamp
    }

    func send(_ bytes: [UInt8]) throws(NetlinkError) {
        sequence = HostOrder.read(UInt32.self, bytes, at: 8)
        next = 0
    }

    func receive() throws(NetlinkError) -> [UInt8] {
        receives += 1
        Fuzz.check(receives < 1000, "netlink-endless", "dump still reading after 1000 datagrams")
        guard next < datagrams.count else { return Replay.done(sequence) }
        var d = datagrams[next]
        next += 1
        if stamp { Replay.restamp(&d, sequence) }
        if Fuzz.skipped.contains("netlink-errno-overflow") { Replay.tameErrors(&d) }
        return d
    }

    /// An NLMSG_ERROR with code Int32.min traps in NetlinkChannel (-code
    /// overflows): reported; with EC2NET_FUZZ_SKIP=netlink-errno-overflow
    /// the replay turns that code into -EPERM to fuzz on past it.
    static func tameErrors(_ d: inout [UInt8]) {
        var i = 0
        while i + 16 <= d.count {
            let len = Int(HostOrder.read(UInt32.self, d, at: i))
            guard len >= 16, i + len <= d.count else { break }
            if HostOrder.read(UInt16.self, d, at: i + 4) == RTNetlink.MessageType.error, len >= 20, HostOrder.read(UInt32.self, d, at: i + 16) == 0x8000_0000 {
                d[i + 16] = 0xff; d[i + 17] = 0xff; d[i + 18] = 0xff; d[i + 19] = 0xff
            }
            i += (len + 3) & ~3
        }
    }

    static func done(_ seq: UInt32) -> [UInt8] {
        var m = NetlinkMessage(type: RTNetlink.MessageType.done, flags: 0, sequence: seq)
        m.attribute(0, [])  // a 4-byte payload, as NLMSG_DONE carries; its value is never read
        return m.bytes
    }

    static func restamp(_ d: inout [UInt8], _ seq: UInt32) {
        var i = 0
        while i + 16 <= d.count {
            let len = Int(HostOrder.read(UInt32.self, d, at: i))
            guard len >= 16, i + len <= d.count else { break }
            withUnsafeBytes(of: seq) { for k in 0..<4 { d[i + 8 + k] = $0[k] } }
            i += (len + 3) & ~3
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.byte()
    let datagrams = input.splitRest(maxPieces: 8)

    for d in datagrams {
        let replies = NetlinkReply.split(d)
        let used = replies.reduce(0) { $0 + 16 + $1.payload.count }
        Fuzz.check(used <= d.count, "netlink-split-bounds", "\(used) bytes of messages in a \(d.count)-byte datagram")
        for r in replies {
            for from in [0, 4, 12, 16] {
                let attrs = r.attributes(after: from)
                let total = attrs.reduce(0) { $0 + 4 + $1.value.count }
                Fuzz.check(total <= max(0, r.payload.count - from), "netlink-attribute-bounds",
                           "\(total) bytes of attributes in a \(r.payload.count)-byte payload after \(from)")
            }
            _ = r.errorCode
        }
    }

    let replay = Replay(datagrams, stamp: flags & 1 != 0)
    let channel = NetlinkChannel(transport: replay)
    if let rules = try? PolicyRuleTable(channel: channel).rules() {
        // A selector the decoder does not know cannot be put into a request
        // (it makes the rule unequal to any ec2net asks for, so it is never
        // deleted): the round trip holds for the rules without one.
        for r in rules where r.unknown.isEmpty {
            // RTM_DELRULE bytes, presented as an RTM_NEWRULE dump entry, read back as the same rule.
            var bytes = PolicyRuleTable.deleteMessage(r, sequence: 0).bytes
            bytes[4] = 32; bytes[5] = 0
            let back = try? PolicyRuleTable(channel: NetlinkChannel(transport: Replay([bytes], stamp: true))).rules()
            Fuzz.check(back?.contains(r) == true, "netlink-rule-roundtrip", "\(r) read back as \(String(describing: back))")
        }
    }
    replay.receives = 0
    _ = try? DefaultRoutes(channel: NetlinkChannel(transport: replay)).preferred(family: .ipv4)
    return 0
}
