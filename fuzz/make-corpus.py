#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (committed; rerun
after changing a target's input layout). Seeds are realistic: IMDS answers,
config files, map lines, .network files, rtnetlink dumps, each prefixed
with the control bytes the target reads first (see each target's header)."""
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# fuzz-http: [limit][piece count][cuts...][response]
def http(status, body, headers=(), chunked=False, version="HTTP/1.1"):
    lines = [f"{version} {status} X"] + list(headers)
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        mid = len(body) // 2
        parts = [body[:mid], body[mid:]]
        payload = "".join(f"{len(p):x}\r\n{p}\r\n" for p in parts if p) + "0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    return "\r\n".join(lines) + "\r\n\r\n" + payload


HTTP_SEEDS = {
    "token": http(200, "AQAEAHUy0dX7CUOyUdZ2lUKe4jDkt-3yz3Hx48f2PV0Yw7A==",
                  ["X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 21600", "Content-Type: text/plain", "Server: EC2ws"]),
    "local-ipv4s": http(200, "10.0.1.23\n10.0.1.37\n10.0.1.45", ["Content-Type: text/plain", "Connection: keep-alive"]),
    "ipv6s": http(200, "2600:1f18:4b2:6f01:9d3a:5c1e:84b2:77af", ["Content-Type: text/plain"]),
    "macs-listing": http(200, "02:1a:2b:3c:4d:5e/\n02:aa:bb:cc:dd:ee/"),
    "device-number": http(200, "1"),
    "not-found": http(404, "<?xml version=\"1.0\"?><Error><Code>NotFound</Code></Error>", ["Content-Type: text/html"]),
    "unauthorized": http(401, "", ["Connection: close"]),
    "chunked": http(200, "10.0.1.0/24", chunked=True),
    "no-content": "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
    "http10-until-close": "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\neni-0123456789abcdef0",
    "server-error": http(500, "Internal Server Error", ["Connection: close"]),
}


def http_seeds():
    for name, resp in HTTP_SEEDS.items():
        b = resp.encode()
        write("fuzz-http", name, b"\x00\x00" + b)                    # one read
        write("fuzz-http", name + "-split", b"\x00\x03\x40\x80\xc0" + b)  # four reads
    write("fuzz-http", "small-limit", b"\x09\x01\x80" + HTTP_SEEDS["local-ipv4s"].encode())


# fuzz-metadata: [flags][absent mask][card][device][6 MAC bytes] + bodies of
# interface-id, local-ipv4s, ipv6s, ipv4-prefix, ipv6-prefix,
# subnet-ipv4-cidr-block, subnet-ipv6-cidr-blocks joined by NUL.
def metadata(flags, absent, card, device, bodies):
    mac = bytes([0x02, 0x1a, 0x2b, 0x3c, 0x4d, device])
    return bytes([flags, absent, card, device]) + mac + b"\x00".join(b.encode() for b in bodies)


def metadata_seeds():
    eni = "eni-0123456789abcdef0"
    write("fuzz-metadata", "primary", metadata(1, 0b1011100, 0, 0, [eni, "10.0.1.23", "", "", "", "10.0.1.0/24", ""]))
    write("fuzz-metadata", "secondary-ipv4s",
          metadata(0, 0b1011100, 0, 1, ["eni-0abcdef12", "10.0.2.10\n10.0.2.11\n10.0.2.12", "", "", "", "10.0.2.0/24", ""]))
    write("fuzz-metadata", "dual-stack",
          metadata(2, 0, 0, 2, [eni, "10.0.3.5", "2600:1f18:4b2:6f01::5\n2600:1f18:4b2:6f01:9d3a:5c1e:84b2:77af",
                                "10.0.3.16/28", "2600:1f18:4b2:6f01:1234::/80", "10.0.3.0/24", "2600:1f18:4b2:6f01::/64"]))
    write("fuzz-metadata", "ipv6-only",
          metadata(8, 0b0100010, 1, 0, [eni, "", "2600:1f18::abcd", "", "", "", "2600:1f18::/64\n2600:1f19::/64"]))
    write("fuzz-metadata", "local-prefixes",
          metadata(4, 0b0010100, 0, 3, [eni, "10.0.4.7\n", "", "10.0.4.32/28\n10.0.4.48/28", "", "10.0.4.0/22", ""]))
    write("fuzz-metadata", "mapped-v4", metadata(0, 0b1110000, 31, 99, [eni, "192.168.0.1", "::ffff:192.168.0.1", "", "", "", ""]))


CONFIG_SEEDS = {
    "defaults": None,  # etc/ec2net.conf
    "dropin": "[Interfaces]\nManage=all\nExclude=02:1a:2b:3c:4d:5e eni-0123456789abcdef0, device:3-5\n"
              "\n[Network]\nMTU=9001\n\n[Routing]\nSecondaryDefaultRoutesInMain=no\nLocalPrefixes=yes\n",
    "imds": "[IMDS]\nEndpoint=http://[fd00:ec2::254]\nTimeout=0.5\nDeviceNumberTimeout=30\n"
            "\n[Hostname]\nSetFromIMDS=off\n\n[Naming]\nMode=device-index\n",
    "two-files": "[Interfaces]\nExclude=device:1\n; vendor\n\x00[Interfaces]\nExclude=\nManage=primary-only\n",
    "errors": "Manage=all\n[Bogus]\nx=1\n[Network]\nMTU=70000\n[IMDS]\nEndpoint=https://x\n[Routing\n",
}


def config_seeds():
    here = os.path.dirname(ROOT)
    for name, text in CONFIG_SEEDS.items():
        if text is None:
            with open(os.path.join(here, "..", "etc", "ec2net.conf")) as f:
                text = f.read()
        write("fuzz-config", name, text)


def map_seeds():
    write("fuzz-map", "three", "02:1a:2b:3c:4d:5e device=0 card=0 eni=eni-0123456789abcdef0\n"
                               "02:1a:2b:3c:4d:5f device=1 card=0 eni=eni-0123456789abcdef1\n"
                               "02:1a:2b:3c:4d:60 device=0 card=1\n")
    write("fuzz-map", "junk", "# not a map\n02:1A:2B:3C:4D:5E device=2 card=0\nzz device=1\n"
                              "02:1a:2b:3c:4d:61 device=100 card=0\n02:1a:2b:3c:4d:62 card=0 device=7 eni=eni-1234abcd\n")
    write("fuzz-map", "one", "02:00:00:00:00:01 device=0 card=0\n")


# fuzz-match: [6 MAC bytes][name length][name] + .network text
def match(mac, name, text):
    return bytes(mac) + bytes([len(name)]) + name.encode() + text.encode()


def match_seeds():
    mac = [0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]
    write("fuzz-match", "by-mac", match(mac, "ens5", "[Match]\nMACAddress=02:1a:2b:3c:4d:5e\n\n[Network]\nDHCP=yes\n"))
    write("fuzz-match", "by-name", match(mac, "ens6", "[Match]\nName=ens* !ens5\nType=ether\n\n[Network]\nAddress=10.0.0.5/24\n"))
    write("fuzz-match", "permanent", match(mac, "eth0",
                                           "# admin\n[Match]\nPermanentMACAddress=02:1a:2b:3c:4d:5e 02:aa:bb:cc:dd:ee\n"
                                           "[Link]\nMTUBytes=9001\n"))
    write("fuzz-match", "globs", match(mac, "eth1", "[Match]\n  Name = eth[0-9] en?5 *\n[Match]\nName=!lo\n"))
    write("fuzz-match", "other-section", match(mac, "eth0", "[Network]\nName=eth0\nMACAddress=02:1a:2b:3c:4d:5e\n"))


# fuzz-netlink: [flags][piece count][cuts...][datagrams]
def nlmsg(mtype, seq, payload, flags=2):
    length = 16 + len(payload)
    return struct.pack("=IHHII", length, mtype, flags, seq, 0) + payload + b"\x00" * ((4 - length % 4) % 4)


def attr(atype, value):
    length = 4 + len(value)
    return struct.pack("=HH", length, atype) + value + b"\x00" * ((4 - length % 4) % 4)


def rule(family, src, src_len, table):
    hdr = struct.pack("=BBBBBBBBI", family, 0, src_len, 0, 252 if table > 255 else table, 0, 0, 1, 0)
    return hdr + attr(15, struct.pack("=I", table)) + attr(6, struct.pack("=I", table)) + attr(2, src)


def route(oif, metric, table=254, dst_len=0):
    hdr = struct.pack("=BBBBBBBBI", 2, dst_len, 0, 0, table, 3, 0, 1, 0)
    return hdr + attr(15, struct.pack("=I", table)) + attr(4, struct.pack("=I", oif)) + attr(6, struct.pack("=I", metric))


def netlink_seeds():
    v4 = bytes([10, 0, 2, 10])
    v6 = bytes.fromhex("26001f1804b26f010000000000000005")
    rules = nlmsg(32, 2, rule(2, v4, 32, 10001)) + nlmsg(32, 2, rule(2, bytes([10, 0, 4, 32]), 28, 10001)) \
        + nlmsg(32, 2, rule(2, bytes([0, 0, 0, 0]), 0, 255)) + nlmsg(3, 2, struct.pack("=i", 0))
    write("fuzz-netlink", "rules-v4", b"\x01\x00" + rules)
    write("fuzz-netlink", "rules-v6", b"\x01\x00" + nlmsg(32, 3, rule(10, v6, 128, 10102)) + nlmsg(3, 3, struct.pack("=i", 0)))
    write("fuzz-netlink", "rules-two-datagrams", b"\x01\x01\x80" + rules)
    routes = nlmsg(24, 2, route(2, 512)) + nlmsg(24, 2, route(3, 513)) + nlmsg(24, 2, route(3, 0, dst_len=24))
    write("fuzz-netlink", "routes", b"\x01\x00" + routes + nlmsg(3, 2, struct.pack("=i", 0)))
    write("fuzz-netlink", "error", b"\x01\x00" + nlmsg(2, 2, struct.pack("=i", -1) + struct.pack("=IHHII", 32, 34, 0x301, 2, 0)))


# fuzz-udev: a udev database record as is. Two recorded by systemd-udevd 252
# in the e2e simulated instance (Tests/e2e/test_udev_initialized.py prints them);
# the other keys systemd's device_update_db() writes (links, priority, tags);
# lines sd-device ignores; NUL-separated pairs for the built-properties check.
def udev_seeds():
    write("fuzz-udev", "captured-eth0", "I:13677521822\nE:ID_NET_DRIVER=veth\n"
          "E:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\nE:ID_NET_NAME=eth0\nE:EC2_IFNAME=eth0\n"
          "E:EC2_DEVICE_NUMBER=0\nE:EC2_NETWORK_CARD=0\nE:EC2_ENI_ID=eni-0000000000000a010\nV:1\n")
    write("fuzz-udev", "captured-primary", "I:13640244216\nE:ID_NET_DRIVER=veth\n"
          "E:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\nE:ID_NET_NAME=eth1\nV:1\n")
    write("fuzz-udev", "links-tags", "S:disk/by-id/x\nL:10\nI:5\nE:A=b=c\nG:systemd\nQ:systemd\nV:1\n")
    write("fuzz-udev", "malformed", "E:NOEQUALS\nE:=novalue\nX\nEE:A=1\n\n:\nI:notanumber\nE:K=\nE:A=1\r\n")
    write("fuzz-udev", "pairs", "EC2_IFNAME\x00eth0\x00EC2_DEVICE_NUMBER\x001\x00")


# fuzz-rule: `[RoutingPolicyRule]` sections as a .network file has them. The
# golden files' own (Tests/EC2NetCoreTests/Golden/*/expected: what ec2net
# writes for captured and documented IMDS trees), and administrators' rules
# with networkd's other keys (systemd.network(5), as in RuleSelectorTests).
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EC2NetCoreTests", "Golden")


def rule_sections(text):
    out, current = [], None
    for line in text.splitlines():
        if line.startswith("["):
            current = [line] if line == "[RoutingPolicyRule]" else None
            if current is not None:
                out.append(current)
        elif current is not None and line and not line.startswith("#"):
            current.append(line)
    return "\n\n".join("\n".join(s) for s in out) + "\n" if out else ""


def rule_seeds():
    for case in sorted(os.listdir(GOLDEN)):
        expected = os.path.join(GOLDEN, case, "expected")
        if not os.path.isdir(expected):
            continue
        for name in sorted(os.listdir(expected)):
            if name.endswith(".network"):
                with open(os.path.join(expected, name)) as f:
                    sections = rule_sections(f.read())
                if sections:
                    write("fuzz-rule", f"golden-{case}-{name[:-len('.network')]}", sections)
    write("fuzz-rule", "admin-selectors", "[RoutingPolicyRule]\nFrom=10.0.1.97\nFirewallMark=0x20\nTable=10001\nPriority=10001\n"
          "[RoutingPolicyRule]\nFrom=10.0.1.98\nInvertRule=yes\nIncomingInterface=lo\nTable=10002\nPriority=10002\n"
          "[RoutingPolicyRule]\nTo=192.0.2.0/24\nTypeOfService=0x10\nIPProtocol=tcp\nSourcePort=1000-2000\n"
          "DestinationPort=443\nTable=main\nPriority=10003\n"
          "[RoutingPolicyRule]\nType=blackhole\nUser=1000-1999\nSuppressPrefixLength=0\nL3MasterDevice=no\nPriority=10005\n")
    write("fuzz-rule", "admin-both-families", "[RoutingPolicyRule]\nFamily=both\nFirewallMark=16/255\nTable=local\n"
          "[RoutingPolicyRule]\nFrom=2600:1f18::5/64\nOutgoingInterface=eth1\nTable=0x2711\nPriority=\n")
    write("fuzz-rule", "admin-unreadable", "[RoutingPolicyRule]\nFrom=10.0.1.20\nTable=custom\nPriority=10001\n"
          "[RoutingPolicyRule]\nUser=root\n[RoutingPolicyRule]\nFrom=10.0.1.21\nTo=2600::1\n")
    # The long run's finding (the reader capped SuppressPrefixLength= at 32 for
    # IPv4; networkd takes 0-128 for either family): kept as a seed.
    write("fuzz-rule", "suppress-prefixlength-both", "[RoutingPolicyRule]\nFamily=both\nSuppressPrefixLength=43\n"
          "SourcePort=1000-2000\nDestinationPort=443\nTable=main\nPriority=10003\n")


def main():
    http_seeds()
    metadata_seeds()
    config_seeds()
    map_seeds()
    match_seeds()
    netlink_seeds()
    udev_seeds()
    rule_seeds()
    for t in sorted(os.listdir(ROOT)):
        print(t, len(os.listdir(os.path.join(ROOT, t))), "seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
