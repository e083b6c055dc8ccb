"""The simulated VPC router's DHCPv6 answers (vpc_router6.py), message by
message, without sockets: what networkd's client gets is what the e2e
suite's IPv6 tests rely on (every IPv6 of the ENI in one IA_NA)."""
import ipaddress
import json
import struct

import vpc_router6 as r6

MAC = "02:00:00:00:00:20"
CLIENT_DUID = bytes.fromhex("0002000000ab11aabbccddeeff00")
IAID = bytes.fromhex("0a0b0c0d")


class StubBridge:
    name = "br-a"
    prefix = ipaddress.IPv6Network("fd00:ec2:0:1::/64")
    duid = struct.pack("!HH", 3, 1) + bytes.fromhex("02ec20000001")


def router(tmp_path, addresses):
    path = tmp_path / "addresses.json"
    path.write_text(json.dumps(addresses))
    router = r6.Router6.__new__(r6.Router6)  # no sockets: answer() only reads the file
    router.addresses_file = str(path)
    return router


def message(kind, *options):
    return bytes([kind]) + b"\x01\x02\x03" + b"".join(options)


def ia_addresses(reply):
    """{iaid: [address]} and the statuses inside each IA_NA of a reply."""
    found = {}
    for code, value in r6.options_of(reply[4:]):
        if code == r6.OPT_IA_NA:
            inner = r6.options_of(value[12:])
            found[value[:4]] = ([str(ipaddress.IPv6Address(v[:16])) for c, v in inner if c == r6.OPT_IAADDR],
                                [struct.unpack("!H", v[:2])[0] for c, v in inner if c == r6.OPT_STATUS_CODE])
    return found


def solicit():
    return message(r6.SOLICIT, r6.option(r6.OPT_CLIENTID, CLIENT_DUID),
                   r6.option(r6.OPT_IA_NA, IAID + struct.pack("!II", 0, 0)))


def test_an_advertise_carries_every_address_of_the_eni(tmp_path):
    rt = router(tmp_path, {MAC: ["fd00:ec2:0:1::20", "fd00:ec2:0:1::21"], "02:00:00:00:00:30": ["fd00:ec2:0:1::30"]})
    reply = rt.answer(StubBridge, MAC, solicit())
    assert reply[0] == r6.ADVERTISE and reply[1:4] == b"\x01\x02\x03"
    options = dict(r6.options_of(reply[4:]))
    assert options[r6.OPT_SERVERID] == StubBridge.duid and options[r6.OPT_CLIENTID] == CLIENT_DUID
    assert ia_addresses(reply) == {IAID: (["fd00:ec2:0:1::20", "fd00:ec2:0:1::21"], [])}


def test_a_request_for_another_server_is_not_answered(tmp_path):
    rt = router(tmp_path, {MAC: ["fd00:ec2:0:1::20"]})
    other = r6.option(r6.OPT_SERVERID, struct.pack("!HH", 3, 1) + bytes(6))
    request = message(r6.REQUEST, r6.option(r6.OPT_CLIENTID, CLIENT_DUID), other,
                      r6.option(r6.OPT_IA_NA, IAID + struct.pack("!II", 0, 0)))
    assert rt.answer(StubBridge, MAC, request) is None
    ours = request.replace(other, r6.option(r6.OPT_SERVERID, StubBridge.duid))
    reply = rt.answer(StubBridge, MAC, ours)
    assert reply[0] == r6.REPLY and ia_addresses(reply) == {IAID: (["fd00:ec2:0:1::20"], [])}


def test_an_eni_without_ipv6_gets_no_addrs_avail(tmp_path):
    rt = router(tmp_path, {MAC: []})
    assert ia_addresses(rt.answer(StubBridge, MAC, solicit())) == {IAID: ([], [r6.STATUS_NOADDRSAVAIL])}


def test_a_renew_after_a_change_carries_the_new_set(tmp_path):
    rt = router(tmp_path, {MAC: ["fd00:ec2:0:1::20"]})
    renew = message(r6.RENEW, r6.option(r6.OPT_CLIENTID, CLIENT_DUID), r6.option(r6.OPT_SERVERID, StubBridge.duid),
                    r6.option(r6.OPT_IA_NA, IAID + struct.pack("!II", 0, 0)))
    (tmp_path / "addresses.json").write_text(json.dumps({MAC: ["fd00:ec2:0:1::20", "fd00:ec2:0:1::22"]}))
    assert ia_addresses(rt.answer(StubBridge, MAC, renew)) == {IAID: (["fd00:ec2:0:1::20", "fd00:ec2:0:1::22"], [])}


def test_the_router_advertisement_is_managed_and_on_link_only():
    bridge = r6.Bridge.__new__(r6.Bridge)
    bridge.mac, bridge.prefix = bytes.fromhex("02ec20000001"), StubBridge.prefix
    ra = bridge.advertisement()
    assert ra[0] == 134 and ra[5] == 0x80, "Router Advertisement, M flag only"
    prefix = ra[16 + 8:]
    assert prefix[0] == 3 and prefix[2] == 64 and prefix[3] == 0x80, "prefix information: L set, A clear"
    assert prefix[16:32] == StubBridge.prefix.network_address.packed
