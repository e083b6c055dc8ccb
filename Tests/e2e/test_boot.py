"""Boot scenarios: ENIs present when the instance starts, configured by the boot scan."""
import pytest

from scenarios import (assert_leaves_through_own_eni, assert_policy_routing, boot_and_scan, ec2net_tables,
                       one_subnet, scan, three_enis_same_subnet, two_enis_same_subnet)
from sim.simulation import binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

PINGS = 10


def test_one_eni_boot(sim):
    primary, _ = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary])
    name = sim.instance.ifname_of(primary.mac)
    wait_until(lambda: sim.instance.networkd.link_state(name) == ("routable", "configured"),
               what=f"{name} routable and configured after the reload")
    assert ec2net_tables(sim) == set(), "a lone primary ENI needs no policy routing"
    assert f"{primary.ipv4[0]}/24" in sim.instance.addrs(name, "-4")
    (default,) = [r for r in sim.instance.routes() if r["dst"] == "default"]
    assert (default["gateway"], default["dev"], default["metric"]) == ("10.0.0.1", name, primary.route_metric)


def test_two_enis_boot(sim):
    """The kernel calls the primary eth1 (not eth0): ec2net finds it by MAC."""
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    (rule,) = [r for r in sim.instance.ip_rules() if r.get("src") == "10.0.0.20"]
    assert rule["priority"] == secondary.route_table == 10001

    # A packet from the secondary's address leaves through the secondary ENI.
    primary_before = sim.vpc.packet_counters(primary.peer)
    assert_leaves_through_own_eni(sim, secondary, PINGS)
    assert sim.vpc.packet_counters(primary.peer) - primary_before < PINGS


def test_three_enis_boot(sim):
    enis = three_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, enis)
    assert_policy_routing(sim, enis)
    assert ec2net_tables(sim) == {10001, 10002}

    main_defaults = {r["dev"]: r["metric"] for r in sim.instance.routes() if r["dst"] == "default"}
    assert main_defaults == {sim.instance.ifname_of(e.mac): e.route_metric for e in enis}  # 512, 513, 514

    for eni in enis[1:]:
        assert_leaves_through_own_eni(sim, eni, PINGS)
    # Default traffic (no source chosen) leaves through the primary.
    primary = enis[0]
    before = sim.vpc.packet_counters(primary.peer)
    sim.instance.ping(None, "169.254.169.254", count=PINGS)
    assert sim.vpc.packet_counters(primary.peer) - before >= PINGS


def test_boot_scan_logs_under_ident_ec2net(sim):
    """docs/interfaces.md: syslog(3), ident `ec2net`, one line per decision."""
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary, secondary])
    everything = sim.instance.syslog.lines()
    assert any("configured" in line for line in everything), everything
    ours = sim.instance.syslog.lines("ec2net")
    assert any("configured" in line for line in ours), \
        f"no syslog line with ident 'ec2net'; idents seen: {sorted({who for who, _ in sim.instance.syslog.messages})}"


def test_a_normal_boot_is_quiet(sim):
    """Issue 16: a normal boot leaves no warning or error line from or about
    ec2net: coldplug before any address hands the ENIs to the boot scan (an
    info line, exit 0 to udev), and the scan's default-route check judges the
    state after its own reload."""
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    scan(sim, "--check-default-route")
    assert sim.instance.syslog.problems("ec2net") == []
    udevd = sim.instance.udevd.process
    assert "failed with exit code" not in udevd.log_text(), udevd.log_tail()
