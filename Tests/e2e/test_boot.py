"""Boot scenarios: ENIs present when the instance starts."""
import pytest

from scenarios import one_subnet, two_enis_same_subnet
from sim.simulation import binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

PINGS = 10


def test_two_enis_boot(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    sim.boot([primary, secondary])
    for eni in (primary, secondary):  # DHCP via the base config first, as at boot
        name = wait_until(lambda: sim.instance.ifname_of(eni.mac), what=f"link {eni.mac}")
        sim.instance.networkd.wait_configured(name)

    scan = sim.ec2net("ec2-ifscan")
    assert scan.returncode == 0, f"ec2-ifscan exit {scan.returncode}\n{scan.stdout}\n{scan.stderr}"

    table = secondary.route_table  # 10001
    secondary_name = sim.instance.ifname_of(secondary.mac)

    def secondary_rule():
        return [r for r in sim.instance.ip_rules()
                if r.get("src") == "10.0.0.20" and r.get("table") == str(table)]
    (rule,) = wait_until(secondary_rule, what=f"rule from 10.0.0.20 lookup {table}")
    assert rule["priority"] == table

    def default_route():
        return [r for r in sim.instance.routes(table)
                if r["dst"] == "default" and r.get("gateway") == "10.0.0.1"]
    (route,) = wait_until(default_route, what=f"default via 10.0.0.1 in table {table}")
    assert route["dev"] == secondary_name

    assert not [r for r in sim.instance.ip_rules() if r.get("src") == "10.0.0.10"], "the primary gets no rule"

    # A packet from the secondary's address leaves through the secondary ENI.
    primary_before = sim.vpc.packet_counters(primary.peer)
    secondary_before = sim.vpc.packet_counters(secondary.peer)
    sim.instance.ping("10.0.0.20", "10.0.0.1", count=PINGS)
    assert sim.vpc.packet_counters(secondary.peer) - secondary_before >= PINGS
    assert sim.vpc.packet_counters(primary.peer) - primary_before < PINGS
