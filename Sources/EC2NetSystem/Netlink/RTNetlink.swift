/// The kernel's rtnetlink numbers ec2net uses, in one place, named as in
/// <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>,
/// <linux/if_addr.h> and <linux/fib_rules.h>. Host byte order, as netlink is.
public enum RTNetlink {
    /// nlmsghdr.nlmsg_type
    public enum MessageType {
        public static let error: UInt16 = 2        // NLMSG_ERROR
        public static let done: UInt16 = 3         // NLMSG_DONE
        public static let newLink: UInt16 = 16     // RTM_NEWLINK
        public static let getLink: UInt16 = 18     // RTM_GETLINK
        public static let newAddress: UInt16 = 20  // RTM_NEWADDR
        public static let getAddress: UInt16 = 22  // RTM_GETADDR
        public static let newRoute: UInt16 = 24    // RTM_NEWROUTE
        public static let getRoute: UInt16 = 26    // RTM_GETROUTE
        public static let newRule: UInt16 = 32     // RTM_NEWRULE
        public static let deleteRule: UInt16 = 33  // RTM_DELRULE
        public static let getRule: UInt16 = 34     // RTM_GETRULE
        public static let newLinkProperty: UInt16 = 108  // RTM_NEWLINKPROP
    }

    /// nlmsghdr.nlmsg_flags
    public enum Flag {
        public static let request: UInt16 = 0x1    // NLM_F_REQUEST
        public static let ack: UInt16 = 0x4        // NLM_F_ACK
        public static let dump: UInt16 = 0x300     // NLM_F_DUMP (ROOT | MATCH)
        public static let exclusive: UInt16 = 0x200  // NLM_F_EXCL (new requests)
        public static let create: UInt16 = 0x400   // NLM_F_CREATE
        public static let append: UInt16 = 0x800   // NLM_F_APPEND
    }

    /// nlattr.nla_type bit of a nested attribute.
    public static let nestedAttribute: UInt16 = 0x8000  // NLA_F_NESTED

    /// Attributes after struct ifinfomsg.
    public enum LinkAttribute {
        public static let address: UInt16 = 1      // IFLA_ADDRESS
        public static let name: UInt16 = 3         // IFLA_IFNAME
        public static let propertyList: UInt16 = 52  // IFLA_PROP_LIST
        public static let alternativeName: UInt16 = 53  // IFLA_ALT_IFNAME
    }

    /// Attributes after struct ifaddrmsg.
    public enum AddressAttribute {
        public static let address: UInt16 = 1      // IFA_ADDRESS
        public static let local: UInt16 = 2        // IFA_LOCAL
    }

    /// Attributes after struct rtmsg.
    public enum RouteAttribute {
        public static let destination: UInt16 = 1  // RTA_DST
        public static let outputInterface: UInt16 = 4  // RTA_OIF
        public static let gateway: UInt16 = 5      // RTA_GATEWAY
        public static let priority: UInt16 = 6     // RTA_PRIORITY (the metric)
        public static let table: UInt16 = 15       // RTA_TABLE
    }

    /// Attributes after struct fib_rule_hdr.
    public enum RuleAttribute {
        public static let destination: UInt16 = 1  // FRA_DST
        public static let source: UInt16 = 2       // FRA_SRC
        public static let incomingInterface: UInt16 = 3  // FRA_IIFNAME
        public static let gotoTarget: UInt16 = 4   // FRA_GOTO
        public static let priority: UInt16 = 6     // FRA_PRIORITY
        public static let firewallMark: UInt16 = 10  // FRA_FWMARK
        public static let suppressPrefixLength: UInt16 = 14  // FRA_SUPPRESS_PREFIXLEN
        public static let table: UInt16 = 15       // FRA_TABLE
        public static let firewallMask: UInt16 = 16  // FRA_FWMASK
        public static let outgoingInterface: UInt16 = 17  // FRA_OIFNAME
        public static let pad: UInt16 = 18         // FRA_PAD (alignment only)
        public static let l3MasterDevice: UInt16 = 19  // FRA_L3MDEV
        public static let uidRange: UInt16 = 20    // FRA_UID_RANGE
        public static let protocolOrigin: UInt16 = 21  // FRA_PROTOCOL (who added it; not a selector)
        public static let ipProtocol: UInt16 = 22  // FRA_IP_PROTO
        public static let sourcePortRange: UInt16 = 23  // FRA_SPORT_RANGE
        public static let destinationPortRange: UInt16 = 24  // FRA_DPORT_RANGE
    }

    /// fib_rule_hdr.action
    public enum RuleAction {
        public static let toTable: UInt8 = 1       // FR_ACT_TO_TBL
        public static let goto: UInt8 = 2          // FR_ACT_GOTO
        public static let nop: UInt8 = 3           // FR_ACT_NOP
        public static let blackhole: UInt8 = 6     // FR_ACT_BLACKHOLE
        public static let unreachable: UInt8 = 7   // FR_ACT_UNREACHABLE
        public static let prohibit: UInt8 = 8      // FR_ACT_PROHIBIT
    }

    /// fib_rule_hdr.flags: the one that is a selector (the others are the
    /// kernel's state: permanent, unresolved goto, detached iif/oif).
    public static let ruleInvert: UInt32 = 0x2     // FIB_RULE_INVERT
    // Route tables and types: KernelSnapshot.Route (mainTable, unicast ...), the one place.
}
