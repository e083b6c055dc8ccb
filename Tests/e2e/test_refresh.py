"""Refresh (ec2-ifscan --refresh): secondary IPv4 addresses follow IMDS;
an IMDS failure changes nothing."""
import pytest

from scenarios import boot_and_scan, one_subnet, rule_sources, scan, two_enis_same_subnet, wait_rule_sources
from sim.simulation import binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

EXTRA = "10.0.0.21"


def test_secondary_ip_added_then_removed(sim):
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary, secondary])
    name = sim.instance.ifname_of(secondary.mac)
    table = secondary.route_table
    wait_rule_sources(sim, table, {"10.0.0.20"})

    sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20", EXTRA])
    scan(sim, "--refresh")
    wait_until(lambda: f"{EXTRA}/32" in sim.instance.addrs(name, "-4"), what=f"{EXTRA}/32 on {name}")
    wait_rule_sources(sim, table, {"10.0.0.20", EXTRA})

    # IMDS fails (500 on everything) while the address is being removed: nothing changes.
    sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20"])
    sim.imds.fault(status=500)
    failed = scan(sim, "--refresh", expect_ok=False)
    assert failed.returncode != 0, "a refresh that could not read IMDS reports it"
    assert rule_sources(sim, table) == {"10.0.0.20", EXTRA}
    assert f"{EXTRA}/32" in sim.instance.addrs(name, "-4")

    sim.imds.clear_faults()
    scan(sim, "--refresh")
    wait_rule_sources(sim, table, {"10.0.0.20"})
    wait_until(lambda: f"{EXTRA}/32" not in sim.instance.addrs(name, "-4"), what=f"{EXTRA}/32 gone from {name}")
    # networkd restarts DHCP on the reconfigured link: the lease comes back.
    wait_until(lambda: "10.0.0.20/24" in sim.instance.addrs(name, "-4"), what=f"10.0.0.20/24 on {name}")
