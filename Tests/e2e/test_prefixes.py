"""Delegated prefixes: `from <prefix> lookup <table>` for IPv4 and IPv6."""
import pytest

from scenarios import boot_and_scan, write_config, wait_rule_sources
from sim.simulation import binaries_present, build_dir
from sim.topology import Eni, Subnet
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

IPV4_PREFIX = "10.0.0.160/28"
IPV6_PREFIX = "fd00:ec2:0:1:2000::/80"


def dual_stack_pair(sim):
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", ipv6_cidr="fd00:ec2:0:1::/64"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"])
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20"], ipv6=["fd00:ec2:0:1::20"],
                    ipv4_prefixes=[IPV4_PREFIX], ipv6_prefixes=[IPV6_PREFIX])
    return primary, secondary


def test_ipv4_and_ipv6_prefix_rules(sim):
    primary, secondary = dual_stack_pair(sim)
    boot_and_scan(sim, [primary, secondary])
    wait_rule_sources(sim, 10001, {"10.0.0.20", IPV4_PREFIX})
    wait_rule_sources(sim, 10001, {"fd00:ec2:0:1::20", IPV6_PREFIX}, family="-6")
    # Without LocalPrefixes=yes the host does not claim the prefix's addresses.
    assert not [r for r in sim.instance.routes("local") if r["dst"] == IPV4_PREFIX]


def test_local_prefixes_adds_a_local_route(sim):
    primary, secondary = dual_stack_pair(sim)
    sim.instance.netns  # the file system exists only after boot: configure through the boot hook below
    sim.boot([primary, secondary])
    write_config(sim, "[Routing]\nLocalPrefixes=yes\n")
    for eni in (primary, secondary):
        sim.instance.networkd.wait_configured(wait_until(lambda: sim.instance.ifname_of(eni.mac)))
    assert sim.ec2net("ec2-ifscan").returncode == 0
    wait_rule_sources(sim, 10001, {"10.0.0.20", IPV4_PREFIX})
    wait_until(lambda: [r for r in sim.instance.routes("local") if r["dst"] == IPV4_PREFIX and r["type"] == "local"],
               what=f"local {IPV4_PREFIX} in table local")
