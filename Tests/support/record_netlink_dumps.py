#!/usr/bin/env python3
"""Records the kernel's replies to the rtnetlink dumps `ec2net status` sends
(links, addresses, rules, routes) as Swift byte-array literals, for the
byte-exact decoder tests in Tests/EC2NetSystemTests/KernelDumpTests.swift.

Run as root; it re-executes itself in a new network namespace (unshare -n),
so nothing touches the host's network:

    python3 Tests/support/record_netlink_dumps.py > /tmp/dumps.swift

With --rules it records only the two rule dumps after RULE_SETUP: one rule
for each selector and action `ip rule` can set (the typed-rule decoder tests).
"""
import os
import socket
import struct
import subprocess
import sys

NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETRULE = 18, 22, 26, 34
NLMSG_DONE = 3
SEQUENCE = 7

SETUP = [
    "ip link set lo up",
    "ip link add eth1 address 02:00:00:00:00:02 type veth peer name peer1",
    "ip link set peer1 up",
    "ip link property add dev eth1 altname eni-0123456789abcdef0",
    "ip link set eth1 up",
    "ip addr add 10.0.0.20/24 dev eth1",
    "ip addr add 10.0.0.21/32 dev eth1",
    "ip -6 addr add 2600:1f18::5/128 dev eth1 nodad",
    "ip route add default via 10.0.0.1 dev eth1 metric 513",
    "ip route add default via 10.0.0.1 dev eth1 table 10001",
    "ip route add 10.0.0.0/24 dev eth1 table 10001",
    "ip rule add from 10.0.0.20 lookup 10001 priority 10001",
    "ip rule add from 10.0.1.16/28 lookup 10001 priority 10001",
    "ip rule add from 10.9.9.9 lookup 77 priority 10500",
    "ip -6 rule add from 2600:1f18::5 lookup 10001 priority 10001",
]

RULE_SETUP = [
    "ip link set lo up",
    "ip rule add from 10.0.1.20 lookup 10001 priority 10001",
    "ip rule add not from 10.0.1.98 lookup 10002 priority 10002",
    "ip rule add from 10.0.1.97 fwmark 0x20 lookup 10001 priority 10001",
    "ip rule add fwmark 0x10/0xff lookup 10002 priority 10002",
    "ip rule add from 10.0.1.99 iif lo lookup 10001 priority 10001",
    "ip rule add from 10.0.1.96 oif lo lookup 10001 priority 10001",
    "ip rule add to 192.0.2.0/24 lookup 10001 priority 10003",
    "ip rule add from 10.0.1.95 tos 0x10 lookup 10001 priority 10004",
    "ip rule add from all blackhole priority 10005",
    "ip rule add from 10.0.1.94 unreachable priority 10006",
    "ip rule add from 10.0.1.93 prohibit priority 10007",
    "ip rule add from 10.0.1.92 goto 10009 priority 10008",
    "ip rule add from 10.0.1.91 nop priority 10009",
    "ip rule add from 10.0.1.90 ipproto tcp sport 1000-2000 dport 443 lookup 10001 priority 10010",
    "ip rule add from 10.0.1.89 uidrange 1000-1999 lookup 10001 priority 10011",
    "ip rule add from 10.0.1.88 lookup main suppress_prefixlength 0 priority 10012",
    "ip rule add from 10.0.1.87 l3mdev priority 10013",
    "ip -6 rule add from 2600:1f18::5 lookup 10001 priority 10001",
    "ip -6 rule add not from 2600:1f18::/64 to 2600:1f18:1::/48 lookup 10002 priority 10002",
]


def dump(kind, family, header):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    body = header
    s.send(struct.pack("=IHHII", 16 + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, SEQUENCE, 0) + body)
    datagrams = []
    while True:
        data = s.recv(65536)
        datagrams.append(data)
        if struct.unpack_from("=H", data, 4)[0] == NLMSG_DONE or any(
                struct.unpack_from("=H", data, off + 4)[0] == NLMSG_DONE for off in offsets(data)):
            break
    s.close()
    return datagrams


def offsets(data):
    off = 0
    while off + 16 <= len(data):
        yield off
        length = struct.unpack_from("=I", data, off)[0]
        off += (length + 3) & ~3


def swift(name, datagrams):
    print(f"    static let {name}: [[UInt8]] = [")
    for d in datagrams:
        print("        [")
        for k in range(0, len(d), 16):
            print("            " + ", ".join(f"0x{b:02x}" for b in d[k:k + 16]) + ",")
        print("        ],")
    print("    ]")


def main():
    if os.environ.get("RECORD_NETLINK_INSIDE") != "1":
        env = dict(os.environ, RECORD_NETLINK_INSIDE="1")
        return subprocess.call(["unshare", "-n", sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env)
    rules_only = "--rules" in sys.argv
    for command in RULE_SETUP if rules_only else SETUP:
        subprocess.run(command.split(), check=True)
    if rules_only:
        rtmsg = lambda fam: struct.pack("=BBBBBBBBI", fam, 0, 0, 0, 0, 0, 0, 0, 0)
        print(f"    // {subprocess.run(['uname', '-r'], capture_output=True, text=True).stdout.strip()}, "
              f"iproute2 {subprocess.run(['ip', '-V'], capture_output=True, text=True).stdout.strip()}, "
              f"setup: {'; '.join(RULE_SETUP)}")
        swift("selectorIPv4RuleDump", dump(RTM_GETRULE, socket.AF_INET, rtmsg(socket.AF_INET)))
        swift("selectorIPv6RuleDump", dump(RTM_GETRULE, socket.AF_INET6, rtmsg(socket.AF_INET6)))
        return 0
    ifinfomsg = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    ifaddrmsg = lambda fam: struct.pack("=BBBBI", fam, 0, 0, 0, 0)
    rtmsg = lambda fam: struct.pack("=BBBBBBBBI", fam, 0, 0, 0, 0, 0, 0, 0, 0)
    print(f"    // {subprocess.run(['uname', '-r'], capture_output=True, text=True).stdout.strip()}, "
          f"setup: {'; '.join(SETUP)}")
    swift("linkDump", dump(RTM_GETLINK, socket.AF_UNSPEC, ifinfomsg))
    swift("addressDump", dump(RTM_GETADDR, socket.AF_UNSPEC, ifaddrmsg(socket.AF_UNSPEC)))
    swift("ipv4RuleDump", dump(RTM_GETRULE, socket.AF_INET, rtmsg(socket.AF_INET)))
    swift("ipv6RuleDump", dump(RTM_GETRULE, socket.AF_INET6, rtmsg(socket.AF_INET6)))
    swift("ipv4RouteDump", dump(RTM_GETROUTE, socket.AF_INET, rtmsg(socket.AF_INET)))
    swift("ipv6RouteDump", dump(RTM_GETROUTE, socket.AF_INET6, rtmsg(socket.AF_INET6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
