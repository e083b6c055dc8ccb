"""Issue 20: ec2net removes only the kernel rules it can show are its own.

The admin's copy of a generated file (README: the documented override), a
drop-in `[RoutingPolicyRule]`, and rules other tools add at ec2net's
priorities survive every entry point; a rule only ec2net's own file asked
for still goes once no file asks for it. The issue's examples use 10.0.1.x;
here they are adapted to the simulated subnet 10.0.0.0/24, whose secondary
ENIs get tables 10001 (eth2, 10.0.0.20) and 10002 (eth3, 10.0.0.30...)."""
import time

import pytest

from scenarios import (GENERATED_DIR, assert_policy_routing, boot_and_scan, extra_eni, link_configured, one_subnet,
                       scan, two_enis_same_subnet, wait_rule_sources)
from sim.simulation import binaries_present, build_dir
from sim.topology import Eni
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

ADMIN_DIR = "/etc/systemd/network"
LEDGER = "/run/ec2net/rules"
# Rules other tools add at ec2net's priorities (issue 20's table, adapted).
HAND_ADDED = [
    ["from", "10.0.0.99", "iif", "lo", "lookup", "10001", "priority", "10001"],
    ["not", "from", "10.0.0.98", "lookup", "10002", "priority", "10002"],
    ["from", "10.0.0.97", "fwmark", "0x20", "lookup", "10001", "priority", "10001"],
    ["fwmark", "0x10", "lookup", "10002", "priority", "10002"],
    # Exactly ec2net's shape, but no file of ec2net's ever asked for it.
    ["from", "10.0.0.96", "lookup", "10001", "priority", "10001"],
]
# A drop-in of eth3's generated file: one rule ec2net's file also asks for
# (until IMDS drops 10.0.0.31), one of the admin's own.
DROP_IN = ("[RoutingPolicyRule]\nFrom=10.0.0.31\nPriority=10002\nTable=10002\n\n"
           "[RoutingPolicyRule]\nFrom=10.0.0.35\nPriority=10002\nTable=10002\n")


def rule_key(r):
    """A rule from `ip -j rule` as the words that identify it."""
    return (r["priority"], "not" in r, r.get("src", "all"), r.get("srclen"), r.get("iif"), r.get("fwmark"),
            r.get("table"))


def hand_added_keys():
    return {(10001, False, "10.0.0.99", None, "lo", None, "10001"),
            (10002, True, "10.0.0.98", None, None, None, "10002"),
            (10001, False, "10.0.0.97", None, None, "0x20", "10001"),
            (10002, False, "all", None, None, "0x10", "10002"),
            (10001, False, "10.0.0.96", None, None, None, "10001")}


def wanted_keys():
    """What the admin's copy (eth2) and the drop-in (eth3) ask networkd for, and eth3's own file."""
    return {(10001, False, "10.0.0.20", None, None, None, "10001"),
            (10002, False, "10.0.0.30", None, None, None, "10002"),
            (10002, False, "10.0.0.31", None, None, None, "10002"),
            (10002, False, "10.0.0.35", None, None, None, "10002")}


def rules_now(sim):
    return {rule_key(r) for r in sim.instance.ip_rules()}


def assert_rules_survive(sim, step, expected, window=1.0):
    """All `expected` rules in the kernel now and for a short window (networkd acts asynchronously)."""
    deadline = time.monotonic() + window
    while True:
        missing = expected - rules_now(sim)
        assert not missing, f"after {step}: {sorted(missing, key=str)} gone\n" + sim.instance.run(["ip", "rule"]).stdout
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def test_admin_copy_drop_in_and_other_tools_rules_survive(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    third = Eni("02:00:00:00:00:30", subnet, device_number=2, kernel_name="eth3",
                ipv4=["10.0.0.30", "10.0.0.31", "10.0.0.32"], eni_id="eni-0000000000000a030")
    fourth = extra_eni(subnet, 3)
    boot_and_scan(sim, [primary, secondary, third])
    assert_policy_routing(sim, [primary, secondary, third])
    for words in HAND_ADDED:
        sim.instance.run(["ip", "rule", "add", *words])

    # (i) The README's override: the admin copies eth2's generated file to /etc;
    # a drop-in of eth3's file adds rules. networkd applies both on a reload.
    name2 = sim.instance.ifname_of(secondary.mac)
    sim.instance.write_file(f"{ADMIN_DIR}/05-ec2net-{name2}.network",
                            sim.instance.read_file(f"{GENERATED_DIR}/05-ec2net-{name2}.network"))
    name3 = sim.instance.ifname_of(third.mac)
    sim.instance.write_file(f"{ADMIN_DIR}/05-ec2net-{name3}.network.d/50-rules.conf", DROP_IN)
    sim.instance.networkd.reload()
    wait_until(lambda: wanted_keys() <= rules_now(sim), what="the drop-in's rules in the kernel\n"
               + sim.instance.run(["ip", "rule"]).stdout)
    survivors = wanted_keys() | hand_added_keys()

    # IMDS drops two of eth3's addresses: the drop-in still asks for 10.0.0.31; nothing asks for 10.0.0.32.
    sim.imds.set(third.mac, "local-ipv4s", ["10.0.0.30"])
    for n in range(3):
        scan(sim, "--refresh")
        assert_rules_survive(sim, f"refresh {n + 1}", survivors)
    assert f"05-ec2net-{name2}.network" not in sim.instance.listdir(GENERATED_DIR), "ec2net stepped aside for eth2"

    sim.hotplug(fourth)
    link_configured(sim, fourth)
    assert_policy_routing(sim, [fourth])
    assert_rules_survive(sim, "hot-plug", survivors)

    sim.instance.networkd.reload()
    assert_rules_survive(sim, "networkctl reload", survivors, window=2)
    print("$ ip rule   # after boot scan, admin copy + drop-in, 3 refreshes, hot-plug, networkctl reload\n"
          + sim.instance.run(["ip", "rule"]).stdout)
    print(f"$ cat {LEDGER}\n" + sim.instance.read_file(LEDGER))

    # (iii) ec2net's own rule that no configuration asks for any more went, by ec2net's hand.
    assert (10002, False, "10.0.0.32", None, None, None, "10002") not in rules_now(sim)
    assert any("removed stale rule from 10.0.0.32/32 lookup 10002 priority 10002" in line
               for line in sim.instance.syslog.lines()), sim.instance.syslog.lines()
    assert "10.0.0.32" not in sim.instance.read_file(LEDGER)
    assert "From=10.0.0.31 " in sim.instance.read_file(LEDGER), "still wanted (the drop-in): still on record"

    # (iii) A detached ENI's rules go (networkd or ec2-unplug's cleaner, whichever is first); the others stay.
    sim.detach(fourth)
    wait_rule_sources(sim, fourth.route_table, set())
    assert_rules_survive(sim, "unplug", survivors)
    assert "10.0.0.40" not in sim.instance.read_file(LEDGER)
