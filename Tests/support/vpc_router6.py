#!/usr/bin/env python3
"""The simulated VPC router's IPv6 side: router advertisements and DHCPv6.

Run in the vpc namespace by Tests/e2e/sim/router6.py, one process for every
subnet with IPv6.  It does what EC2's router does for an ENI in such a subnet:

* Router advertisements with the managed flag (addresses come from DHCPv6)
  and the subnet's /64 as an on-link prefix without the autonomous flag (no
  SLAAC), from the router's link-local address: an answer to every Router
  Solicitation and one every RA_INTERVAL seconds.
* DHCPv6 (RFC 8415) that hands an ENI every IPv6 address EC2 has assigned to
  it, all in the one IA_NA the client asks for.  Why all, and not only the
  first: AWS's own configuration tools rely on it.  amazon-ec2-net-utils 1.x
  runs `dhclient -6` and then makes a policy rule for each global address it
  finds on the interface (ec2net-functions, get_ipv6s: "query the interface
  configuration itself, rather than IMDS"), and its test of a secondary ENI
  with more IPs models two DHCPv6 addresses there
  (tests/params-secondary-more-ips.sh, _TEST_IPV6_ADDRS); 2.x assigns no
  IPv6 address itself and writes a rule for every entry of `ipv6s`
  (lib.sh).  Tests/e2e/README.md's differences table has the rest.

Which ENI asks is told by the Ethernet source of the request (an AF_PACKET
socket on each bridge): networkd's DUID is the machine's, the same for every
ENI.  The addresses come from a JSON file {mac: [ipv6, ...]} that the
harness rewrites (atomically) whenever IMDS's `ipv6s` changes; it is read
for every request, so a renewal after a change gets the new set, as on EC2.
"""
import argparse
import fcntl
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_IPV6 = 0x86DD
SIOCGIFHWADDR = 0x8927
PACKET_OUTGOING = 4
ALL_NODES = "ff02::1"
ALL_DHCP = "ff02::1:2"
SERVER_PORT, CLIENT_PORT = 547, 546

# Lease times: EC2's are not documented; one hour, as the simulation's
# DHCPv4 leases (Tests/e2e/README.md).
PREFERRED, VALID = 3600, 3600
T1, T2 = PREFERRED // 2, PREFERRED * 7 // 8
RA_INTERVAL = 30
ROUTER_LIFETIME = 1800

# RFC 8415 message types and options.
SOLICIT, ADVERTISE, REQUEST, CONFIRM, RENEW, REBIND, REPLY, RELEASE, DECLINE = 1, 2, 3, 4, 5, 6, 7, 8, 9
INFORMATION_REQUEST = 11
NAMES = {SOLICIT: "solicit", REQUEST: "request", RENEW: "renew", REBIND: "rebind"}
OPT_CLIENTID, OPT_SERVERID, OPT_IA_NA, OPT_IAADDR, OPT_STATUS_CODE = 1, 2, 3, 5, 13
STATUS_SUCCESS, STATUS_NOADDRSAVAIL, STATUS_NOTONLINK = 0, 2, 4


def log(text):
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


# --- DHCPv6 messages ------------------------------------------------------------------------
def options_of(data):
    """(code, value) pairs of a DHCPv6 option area."""
    options, at = [], 0
    while at + 4 <= len(data):
        code, length = struct.unpack_from("!HH", data, at)
        options.append((code, data[at + 4:at + 4 + length]))
        at += 4 + length
    return options


def option(code, value):
    return struct.pack("!HH", code, len(value)) + value


def status(code, text):
    return option(OPT_STATUS_CODE, struct.pack("!H", code) + text.encode())


def ia_na(iaid, addresses):
    if addresses:
        body = b"".join(option(OPT_IAADDR, ipaddress.IPv6Address(a).packed + struct.pack("!II", PREFERRED, VALID))
                        for a in addresses)
        return option(OPT_IA_NA, iaid + struct.pack("!II", T1, T2) + body)
    return option(OPT_IA_NA, iaid + struct.pack("!II", 0, 0) + status(STATUS_NOADDRSAVAIL, "no addresses"))


class Bridge:
    def __init__(self, name, prefix):
        self.name = name
        self.prefix = ipaddress.IPv6Network(prefix)
        self.index = socket.if_nametoindex(name)
        # SIOCGIFHWADDR: /sys may be the host's mount, not this namespace's.
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            request = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("256s", name.encode()))
        self.mac = request[18:24]
        # DUID-LL (RFC 8415 11.4): hardware type 1 (Ethernet), the router's MAC.
        self.duid = struct.pack("!HH", 3, 1) + self.mac
        self.packets = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6))
        self.packets.bind((name, ETH_P_IPV6))
        self.icmp = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        self.icmp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, name.encode())
        self.icmp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        self.icmp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        self.icmp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, self.index)
        self.icmp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)

    def advertisement(self):
        """RFC 4861 4.2: managed flag set; the prefix on-link, not autonomous."""
        header = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0x80, ROUTER_LIFETIME, 0, 0)
        source_link = struct.pack("!BB", 1, 1) + self.mac
        prefix = struct.pack("!BBBBIII", 3, 4, self.prefix.prefixlen, 0x80, VALID, PREFERRED, 0) + \
            self.prefix.network_address.packed
        return header + source_link + prefix

    def advertise(self):
        try:
            self.icmp.sendto(self.advertisement(), (ALL_NODES, 0, 0, self.index))
        except OSError as e:  # the bridge has no link-local address yet
            log(f"{self.name}: RA not sent: {e}")


class Router6:
    def __init__(self, bridges, addresses_file):
        self.bridges = bridges
        self.addresses_file = addresses_file
        self.udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.bind(("::", SERVER_PORT))
        for bridge in bridges:
            group = socket.inet_pton(socket.AF_INET6, ALL_DHCP) + struct.pack("@I", bridge.index)
            self.udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, group)

    def addresses(self, mac):
        """What EC2 has assigned to this ENI now (only ENOENT means none yet)."""
        try:
            with open(self.addresses_file) as f:
                return json.load(f).get(mac, [])
        except FileNotFoundError:
            return []

    def serve(self):
        for bridge in self.bridges:
            bridge.advertise()
        next_ra = time.monotonic() + RA_INTERVAL
        sockets = {b.packets: b for b in self.bridges}
        icmp = {b.icmp: b for b in self.bridges}
        while True:
            ready, _, _ = select.select([*sockets, *icmp, self.udp], [], [], max(0.0, next_ra - time.monotonic()))
            for s in ready:
                if s is self.udp:
                    self.udp.recvfrom(65535)  # the same request, seen on the AF_PACKET socket
                elif s in icmp:
                    data, _ = s.recvfrom(65535)
                    if data[:1] == b"\x85":  # a Router Solicitation: answer at once
                        icmp[s].advertise()
                else:
                    data, address = s.recvfrom(65535)
                    if address[2] != PACKET_OUTGOING:
                        self.packet(sockets[s], data, address[4])
            if time.monotonic() >= next_ra:
                for bridge in self.bridges:
                    bridge.advertise()
                next_ra = time.monotonic() + RA_INTERVAL

    def packet(self, bridge, data, mac_bytes):
        # IPv6 header, then UDP (a DHCPv6 client sends no extension headers).
        if len(data) < 48 or data[6] != socket.IPPROTO_UDP:
            return
        source = ipaddress.IPv6Address(data[8:24])
        _, dport = struct.unpack_from("!HH", data, 40)
        if dport != SERVER_PORT:
            return
        mac = ":".join(f"{b:02x}" for b in mac_bytes[:6])
        try:
            answer = self.answer(bridge, mac, data[48:])
            if answer:
                self.udp.sendto(answer, (str(source), CLIENT_PORT, 0, bridge.index))
        except (OSError, ValueError, struct.error) as e:  # one bad request or send; the router carries on
            log(f"{bridge.name}: {mac}: request from {source} not answered: {e!r}")

    def answer(self, bridge, mac, message):
        if len(message) < 4:
            return None
        kind, xid, options = message[0], message[1:4], options_of(message[4:])
        client = next((v for c, v in options if c == OPT_CLIENTID), None)
        server = next((v for c, v in options if c == OPT_SERVERID), None)
        ias = [v[:4] for c, v in options if c == OPT_IA_NA and len(v) >= 12]
        if client is None and kind != INFORMATION_REQUEST:
            return None
        # A Request, Renew, Release or Decline names its server: not us, not ours to answer.
        if kind in (REQUEST, RENEW, RELEASE, DECLINE) and server != bridge.duid:
            return None
        head = bytes([ADVERTISE if kind == SOLICIT else REPLY]) + xid + option(OPT_SERVERID, bridge.duid) + \
            (option(OPT_CLIENTID, client) if client is not None else b"")
        assigned = [a for a in self.addresses(mac) if ipaddress.IPv6Address(a) in bridge.prefix]
        if kind in (SOLICIT, REQUEST, RENEW, REBIND):
            log(f"{bridge.name}: {mac}: {NAMES[kind]} -> {', '.join(assigned) or 'NoAddrsAvail'}")
            return head + b"".join(ia_na(iaid, assigned) for iaid in ias)
        if kind == CONFIRM:
            claimed = []
            for code, value in options:
                if code == OPT_IA_NA:
                    claimed += [ipaddress.IPv6Address(v[:16]) for c, v in options_of(value[12:]) if c == OPT_IAADDR]
            on_link = all(a in bridge.prefix for a in claimed)
            return head + status(STATUS_SUCCESS if on_link else STATUS_NOTONLINK, "")
        if kind in (RELEASE, DECLINE):
            log(f"{bridge.name}: {mac}: {'release' if kind == RELEASE else 'decline'}")
            return head + status(STATUS_SUCCESS, "")
        if kind == INFORMATION_REQUEST:
            return head
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subnet", action="append", required=True, metavar="BRIDGE=PREFIX",
                        help="a bridge and the subnet's IPv6 /64 on it")
    parser.add_argument("--addresses", required=True, help="JSON file {mac: [ipv6, ...]}")
    parser.add_argument("--ready-file", help="written once every socket is open")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    bridges = [Bridge(*spec.split("=", 1)) for spec in args.subnet]
    router = Router6(bridges, args.addresses)
    log("serving " + ", ".join(f"{b.name} ({b.prefix})" for b in bridges))
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(f"{os.getpid()}\n")
    router.serve()


if __name__ == "__main__":
    main()
