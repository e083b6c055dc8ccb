#!/usr/bin/env python3
"""Generates the [Match] corpus the differential test installs on the
simulated instance (Tests/e2e/test_match_differential.py): cases.jsonl, one
JSON object a line, {"id": "...", "files": {path: text}}. Seeded: the same
run writes the same bytes, and the output is committed.

    python3 Tests/e2e/match_corpus/generate.py > Tests/e2e/match_corpus/cases.jsonl

The links the cases are about are the test's (LINKS there): two ENIs as
scenarios.two_enis_same_subnet makes them (eth1 02:00:00:00:00:10, eth2
02:00:00:00:00:20, veth standing in for ENA) with the altnames ec2net gives
(`eni-…`, `device-number-D.C`, InterfaceConfigurator.addAltNames), and a veth
pair made inside the instance with no altnames (ens5 02:00:0a:00:01:14,
peer5 0a:1b:2c:3d:4e:5f). The key forms follow systemd.network(5) of
systemd 252 ([Match]: MACAddress= "colon-, hyphen- or dot-delimited
hexadecimal", Name= "shell-style globs ... alternative names", "!" negation,
empty assignment resets) and issue 20's table (Name=eni-…,
Name=device-number-1.0, MACAddress=02-00-0a-00-01-14 / 0200.0a00.0114).
Conditions ec2net cannot evaluate (Host=, Virtualization=, ...) are left
out: there ec2net decides conservatively, not as networkd (NetworkMatch).
"""
import json
import random

CASE = "/etc/systemd/network/01-case.network"
ETC_DROPIN = CASE + ".d"
RUN_DROPIN = "/run/systemd/network/01-case.network.d"
USR_DROPIN = "/usr/lib/systemd/network/01-case.network.d"
NETWORK = "[Network]\nLinkLocalAddressing=no\n"

LINK_MACS = ["02:00:00:00:00:10", "02:00:00:00:00:20", "02:00:0a:00:01:14", "0a:1b:2c:3d:4e:5f"]
OTHER_MACS = ["02:00:00:00:00:30", "06:aa:bb:cc:dd:ee"]
NAMES = ["eth1", "eth2", "ens5", "peer5"]
ALTNAMES = ["eni-0000000000000a010", "eni-0000000000000a020", "device-number-0.0", "device-number-1.0"]
GLOBS = ["eth*", "e*", "eth[12]", "eth[!1]", "eth?", "en?5", "device-number-*", "eni-*", "*-0.0", "*", "[ep]*",
         "*5", "eni-0000000000000a0[12]0", "device-number-?.0", "p*"]
ABSENT = ["eth9", "wlan0", "eni-0000000000000a099", "device-number-7.0", "ens55"]
INVALID_NAMES = ["a:b", "a/b", "123", "x%d", ".", "..", "0x1f"]


def mac_forms(mac, rng):
    b = mac.split(":")
    forms = [
        mac,
        mac.upper(),
        "-".join(b),
        "-".join(b).upper(),
        "".join(b[0:2]) + "." + "".join(b[2:4]) + "." + "".join(b[4:6]),
        ":".join(x.lstrip("0") or "0" for x in b),
        ":".join(x if i % 2 else x.upper() for i, x in enumerate(b)),
    ]
    return rng.choice(forms)


INVALID_MACS = ["zz:00:00:00:00:10", "02:00:00:00:00", "02:00:00:00:00:10:", "0200.0000.0010.", "02:00-00:00:00:10",
                "02:00:00:00:00:100", "10.0.0.1", "fe80::1", "02:00:00:00:00:10:00", "0200.0000"]


def words(rng, pool, n):
    return [rng.choice(pool) for _ in range(n)]


def sep(rng):
    return rng.choice([" ", " ", "  ", "\t", " \t "])


def name_line(rng):
    pool = NAMES + ALTNAMES + GLOBS + ABSENT + INVALID_NAMES + ['"eth1"', "'eth2'"]
    ws = words(rng, pool, rng.choice([1, 1, 1, 2, 2, 3]))
    if rng.random() < 0.2 and len(ws) > 1:
        ws[1] = "!" + ws[1]
    value = sep(rng).join(ws)
    if rng.random() < 0.3:
        value = "!" + value
    return "Name=" + value


def mac_line(rng, key):
    n = rng.choice([1, 1, 2, 3])
    ws = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            ws.append(mac_forms(rng.choice(LINK_MACS), rng))
        elif r < 0.8:
            ws.append(mac_forms(rng.choice(OTHER_MACS), rng))
        else:
            ws.append(rng.choice(INVALID_MACS))
    return key + "=" + sep(rng).join(ws)


def strv_line(rng, key, pool):
    ws = words(rng, pool, rng.choice([1, 1, 2]))
    value = sep(rng).join(ws)
    if rng.random() < 0.3:
        value = "!" + value
    return key + "=" + value


DRIVERS = ["veth", "ve*", "ena", "v?th", '"veth"', "'ena' veth", "ixgbevf", "*"]
TYPES = ["ether", "eth*", "loopback", "none", "wlan", "e?her", '"ether"', "bridge"]
KINDS = ["veth", "v*", "bridge", "dummy", '"veth"', "*"]
PROPERTIES = ["ID_NET_DRIVER=veth", "ID_NET_DRIVER=v*", "ID_NET_DRIVER=ena", "INTERFACE=eth1", "INTERFACE=eth*",
              "INTERFACE=ens5", "SUBSYSTEM=net", "NOPE=x", "NOPE=*", '"ID_NET_DRIVER=veth"', "1X=y", "NOEQUALS",
              "DEVTYPE=*", "IFINDEX=*"]


def random_line(rng):
    r = rng.random()
    if r < 0.35:
        return name_line(rng)
    if r < 0.55:
        return mac_line(rng, "MACAddress")
    if r < 0.62:
        return mac_line(rng, "PermanentMACAddress")
    if r < 0.72:
        return strv_line(rng, "Driver", DRIVERS)
    if r < 0.80:
        return strv_line(rng, "Type", TYPES)
    if r < 0.87:
        return strv_line(rng, "Kind", KINDS)
    if r < 0.95:
        return strv_line(rng, "Property", PROPERTIES)
    return rng.choice(["Name=", "MACAddress=", "Driver=", "Property="])  # an empty assignment: a reset


def decorate(rng, line):
    """Whitespace around the key and '=' as networkd strips it."""
    key, _, value = line.partition("=")
    r = rng.random()
    if r < 0.1:
        return f"{key} = {value}"
    if r < 0.15:
        return f"  {key}={value}  "
    if r < 0.2:
        return f"\t{key}\t=\t{value}"
    return line


def random_match(rng):
    lines = [decorate(rng, random_line(rng)) for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
    if rng.random() < 0.15:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["# Name=eth1", "; MACAddress=02:00:00:00:00:10"]))
    return lines


def file_text(match_lines, rng, crlf=False):
    text = "[Match]\n" + "\n".join(match_lines) + "\n\n" + NETWORK
    if rng.random() < 0.05:
        text = "[Network]\nName=eth1\n" + text  # a Name= outside [Match] means nothing
    if crlf:
        text = text.replace("\n", "\r\n")
    return text


def fixed_cases():
    """The forms the issue names, one case each, before the random ones."""
    m = "[Match]\n{}\n\n" + NETWORK
    out = [
        m.format("MACAddress=02-00-0a-00-01-14"),
        m.format("MACAddress=0200.0a00.0114"),
        m.format("MACAddress=02:00:0A:00:01:14"),
        m.format("MACAddress=2:0:a:0:1:14"),
        m.format("Name=eni-0000000000000a010"),
        m.format("Name=device-number-1.0"),
        m.format("Name=!eth1"),                       # eth1 has altnames: each is tested alone
        m.format("Name=!ens5"),                       # ens5 has none
        m.format("Name=!eth1 !eni-0000000000000a010 !device-number-0.0"),  # !!eni-…: names nothing
        m.format("Name=!eth1 eni-0000000000000a010 device-number-0.0"),
        m.format("Name=eth1 !eth1"),
        m.format("Name=eth*\nName=!eth1"),
        m.format("Name=eth1\nName=\nName=eth2"),     # the empty assignment resets
        m.format("Driver=veth"),
        m.format("Type=ether"),
        m.format("Kind=veth"),
        m.format("Property=ID_NET_DRIVER=veth"),
        m.format("PermanentMACAddress=02:00:00:00:00:10"),  # veth: no permanent address
        m.format("MACAddress=10.0.0.1"),              # a 4-byte address: set, never equal
        m.format("MACAddress=zz:zz:zz:zz:zz:zz"),     # only invalid words: no setting left, file ignored
        m.format("Name=123 a:b"),                     # only invalid names: file ignored
        "[Match]\n\n" + NETWORK,                      # empty [Match]: ignored
        "[match]\nName=eth1\n\n" + NETWORK,           # section names are case-sensitive
        m.format("name=eth1"),                        # so are keys
        m.format('Name="eth1"'),                      # Name= keeps quotes
        m.format('Driver="veth"'),                    # Driver= removes them
        m.format("Name=eth1\n[Match]\nMACAddress=02:00:00:00:00:20"),  # two [Match] sections add up
        m.format("Name = eth2 "),
        m.format("MACAddress=02:00:00:00:00:10 \\\n 02:00:00:00:00:20"),  # a continuation line
    ]
    return [{CASE: t} for t in out]


def dropin_cases():
    m = "[Match]\n{}\n\n" + NETWORK
    return [
        {CASE: m.format("Name=eth1"), ETC_DROPIN + "/10-more.conf": "[Match]\nName=eth2\n"},
        {CASE: m.format("Name=eth1"), ETC_DROPIN + "/10-reset.conf": "[Match]\nName=\nName=ens5\n"},
        {CASE: m.format("Name=eth*"), RUN_DROPIN + "/10-not.conf": "[Match]\nName=!eth2\n"},
        {CASE: m.format("Driver=veth"), USR_DROPIN + "/10-mac.conf": "[Match]\nMACAddress=02-00-00-00-00-20\n"},
        {CASE: m.format("Name=eth1"), ETC_DROPIN + "/10-a.conf": "[Match]\nName=\n",
         RUN_DROPIN + "/10-a.conf": "[Match]\nName=eth2\n"},      # /etc hides /run's of the same name
        {CASE: m.format("Name=eth1"), ETC_DROPIN + "/20-b.conf": "[Match]\nName=\nName=eth2\n",
         RUN_DROPIN + "/10-a.conf": "[Match]\nName=ens5\n"},      # applied in name order across directories
        {CASE: m.format("Name=peer5"), ETC_DROPIN + "/10-x.conf": "[Network]\nDHCP=no\n"},
        {CASE: m.format("Name=eth2"), ETC_DROPIN + "/10-x.conf": ""},  # empty: masked
    ]


def main():
    rng = random.Random(20)
    cases = fixed_cases() + dropin_cases()
    while len(cases) < 260:
        files = {CASE: file_text(random_match(rng), rng, crlf=rng.random() < 0.04)}
        if rng.random() < 0.08:
            where = rng.choice([ETC_DROPIN, RUN_DROPIN, USR_DROPIN])
            files[where + "/50-gen.conf"] = "[Match]\n" + "\n".join(random_match(rng)) + "\n"
        cases.append(files)
    for i, files in enumerate(cases):
        print(json.dumps({"id": f"{i:03d}", "files": files}, sort_keys=True))


if __name__ == "__main__":
    main()
