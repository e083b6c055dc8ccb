"""Multi-card instances: IMDS publishes network-card; table 10000+100*card+device."""
import pytest

from scenarios import assert_leaves_through_own_eni, assert_policy_routing, boot_and_scan, one_subnet
from sim.simulation import binaries_present, build_dir
from sim.topology import Eni
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")


@pytest.mark.simulation(publish_network_card=True)
def test_card_one_uses_tables_10100_plus_device(sim):
    subnet = sim.add_subnet(one_subnet())
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"], network_card=0)
    card1_dev0 = Eni("02:00:00:00:01:00", subnet, 0, "eth2", ["10.0.0.100"], network_card=1)
    card1_dev1 = Eni("02:00:00:00:01:01", subnet, 1, "eth3", ["10.0.0.101"], network_card=1)
    enis = [primary, card1_dev0, card1_dev1]
    assert [e.route_table for e in enis[1:]] == [10100, 10101]
    boot_and_scan(sim, enis)
    assert_policy_routing(sim, enis)  # device 0 on card 1 is not the primary: it gets its rule
    expected = {sim.instance.ifname_of(e.mac): e.route_metric for e in enis}  # 512, 612, 613

    def main_defaults():
        return {r["dev"]: r["metric"] for r in sim.instance.routes() if r["dst"] == "default"}
    # networkd re-acquires a lease after the reload: the routes come back shortly.
    wait_until(lambda: main_defaults() == expected, what=f"main-table defaults {expected} (now {main_defaults()})")
    for eni in enis[1:]:
        assert_leaves_through_own_eni(sim, eni)
