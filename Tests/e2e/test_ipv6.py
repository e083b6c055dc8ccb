"""IPv6: addresses on a dual-stack subnet, and an IPv6-only subnet.

EC2 hands out an ENI's IPv6 addresses by DHCPv6, all of them, with router
advertisements for the route (sim/router6.py).
"""
import pytest

from scenarios import (assert_leaves_through_own_eni, boot_and_scan, link_configured, one_subnet, rule_sources,
                       scan, table_routes, wait_rule_sources)
from sim.simulation import binaries_present, build_dir
from sim.topology import Eni, Subnet
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

PINGS = 5


def ipv6_default(sim, table, dev):
    return [r for r in table_routes(sim, table, "-6")
            if r["dst"] == "default" and r.get("dev") == dev and r.get("gateway", "").startswith("fe80:")]


def test_ipv6_addresses_dual_stack(sim):
    """Every IPv6 address of an ENI is on its link (DHCPv6 hands out all of
    them), has its rule, and leaves by its own ENI."""
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", ipv6_cidr="fd00:ec2:0:1::/64"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"], ipv6=["fd00:ec2:0:1::10"])
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20"],
                    ipv6=["fd00:ec2:0:1::20", "fd00:ec2:0:1::21"])
    boot_and_scan(sim, [primary, secondary])
    name = sim.instance.ifname_of(secondary.mac)
    wait_rule_sources(sim, 10001, {"10.0.0.20"})
    wait_rule_sources(sim, 10001, set(secondary.ipv6), family="-6")
    assert not rule_sources(sim, 10000, "-6"), "the primary gets no IPv6 rule either"
    for address in secondary.ipv6:
        wait_until(lambda: f"{address}/128" in sim.instance.addrs(name, "-6"), what=f"DHCPv6 address {address} on {name}")
    wait_until(lambda: [r for r in sim.instance.routes(10001, "-6") if r["dst"] == "fd00:ec2:0:1::/64"],
               what="subnet route in IPv6 table 10001")
    wait_until(lambda: ipv6_default(sim, 10001, name), what="RA default route in IPv6 table 10001", timeout=30)

    assert_leaves_through_own_eni(sim, secondary, PINGS, subnet.ipv6_gateway, secondary.ipv6)


def test_ipv6_address_added_later_reaches_the_link(sim):
    """An IPv6 assigned after boot: the refresh writes its rule, the reload
    restarts DHCPv6 on that link, and the new lease carries the address."""
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", ipv6_cidr="fd00:ec2:0:1::/64"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"], ipv6=["fd00:ec2:0:1::10"])
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20"], ipv6=["fd00:ec2:0:1::20"])
    boot_and_scan(sim, [primary, secondary])
    name = sim.instance.ifname_of(secondary.mac)
    wait_rule_sources(sim, 10001, {"fd00:ec2:0:1::20"}, family="-6")

    sim.imds.set(secondary.mac, "ipv6s", ["fd00:ec2:0:1::20", "fd00:ec2:0:1::22"])
    scan(sim, "--refresh")
    wait_rule_sources(sim, 10001, {"fd00:ec2:0:1::20", "fd00:ec2:0:1::22"}, family="-6")
    wait_until(lambda: "fd00:ec2:0:1::22/128" in sim.instance.addrs(name, "-6"),
               what=f"the new DHCPv6 address on {name}")
    assert_leaves_through_own_eni(sim, secondary, PINGS, subnet.ipv6_gateway, ["fd00:ec2:0:1::20", "fd00:ec2:0:1::22"])


def test_ipv6_only_subnet(sim):
    """A secondary ENI in a subnet without IPv4: no IPv4 rule, no IPv4 routes in
    its table, but it keeps EC2's link-local DHCPv4 lease (sim/topology.py)."""
    primary = Eni("02:00:00:00:00:10", sim.add_subnet(one_subnet()), 0, "eth1", ["10.0.0.10"])
    v6only = sim.add_subnet(Subnet("b", ipv4_cidr=None, ipv6_cidr="fd00:ec2:0:2::/64"))
    secondary = Eni("02:00:00:00:00:20", v6only, 1, "eth2", ipv6=["fd00:ec2:0:2::20"])
    sim.boot([primary, secondary])
    link_configured(sim, primary)
    name = wait_until(lambda: sim.instance.ifname_of(secondary.mac), what="IPv6-only link")
    scan(sim)
    link_configured(sim, secondary)

    wait_rule_sources(sim, 10001, {"fd00:ec2:0:2::20"}, family="-6")
    wait_until(lambda: "fd00:ec2:0:2::20/128" in sim.instance.addrs(name, "-6"), what=f"DHCPv6 address on {name}")
    wait_until(lambda: ipv6_default(sim, 10001, name), what="RA default route in IPv6 table 10001", timeout=30)
    assert rule_sources(sim, 10001, "-4") == set(), "no IPv4 rule for an IPv6-only ENI"
    assert table_routes(sim, 10001, "-4") == [], "no IPv4 routes in its table"
    # networkd calls the link configured once DHCPv4 or DHCPv6 has configured
    # it: the link-local lease may come second.
    wait_until(lambda: [a for a in sim.instance.addrs(name, "-4") if a.startswith("169.254.0.")],
               what="the DHCPv4 link-local lease on the IPv6-only ENI")

    assert_leaves_through_own_eni(sim, secondary, PINGS, v6only.ipv6_gateway, ["fd00:ec2:0:2::20"])
