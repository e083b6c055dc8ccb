"""[Routing] SecondaryDefaultRoutesInMain=no, and the default-route check."""
import pytest

from scenarios import (assert_policy_routing, boot_and_scan, default_route_in_table, one_subnet, scan,
                       table_routes, two_enis_same_subnet)
from sim.simulation import binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")


def main_defaults(sim):
    return [r for r in table_routes(sim, "main") if r["dst"] == "default"]


def test_secondary_default_route_only_in_its_table(sim):
    """cloud-init #5249: with an inspection appliance, only the primary's
    default route may be in the main table; the secondary keeps its own."""
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    boot_and_scan(sim, [primary, secondary], config="[Routing]\nSecondaryDefaultRoutesInMain=no\n")
    assert_policy_routing(sim, [primary, secondary])
    primary_name = sim.instance.ifname_of(primary.mac)
    secondary_name = sim.instance.ifname_of(secondary.mac)
    wait_until(lambda: {r.get("dev") for r in main_defaults(sim)} == {primary_name},
               what=f"only {primary_name}'s default route in main (now {main_defaults(sim)})")
    assert default_route_in_table(sim, secondary.route_table, secondary_name)


def test_default_route_check_names_the_primary(sim):
    """The kernel called the primary eth1: the check finds it by MAC."""
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    primary_name = sim.instance.ifname_of(primary.mac)
    assert primary_name == "eth1"
    wait_until(lambda: [r for r in main_defaults(sim) if r.get("dev") == primary_name and r.get("metric") == 512],
               what="the primary's default route at metric 512")
    result = scan(sim, "--check-default-route", "-v")
    assert f"leaves through {primary_name} ({primary.mac}), the primary ENI" in result.stderr, result.stderr
