"""Issue 10: other tools' rules and routes survive ec2net; opt-outs
(Exclude=, Manage=) are honoured by every entry point; the MTU comes from DHCP."""
import time

import pytest

from scenarios import (CONFIG_FILE, GENERATED_DIR, assert_policy_routing, boot_and_scan, ec2net_tables, extra_eni,
                       generated_files, link_configured, one_subnet, rule_sources, scan, table_routes,
                       three_enis_same_subnet, two_enis_same_subnet, wait_rule_sources, write_config)
from sim.simulation import binaries_present, build_dir
from sim.topology import Subnet
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

FOREIGN_RULE = ["from", "10.9.9.9", "lookup", "77", "priority", "100"]
FOREIGN_ROUTE = ["10.9.9.0/24", "dev", "lo", "table", "77"]
# Counts every reload asked for (EC2NET_NETWORKCTL), then does it: by the
# programs the test runs (COUNTED) and by those udev runs (ec2-plug,
# ec2-unplug). udevd gives a RUN program the device's properties as its
# environment, not its own, so a rule ahead of 81-ec2net.rules sets the
# variable on every net device.
NETWORKCTL_WRAPPER = "/etc/ec2net-test/networkctl"
NETWORKCTL_CALLS = "/run/ec2net-test-networkctl.calls"
NETWORKCTL_RULE = "/usr/lib/udev/rules.d/10-ec2net-test-networkctl.rules"
COUNTED = {"EC2NET_NETWORKCTL": NETWORKCTL_WRAPPER}


def install_reload_counter(sim):
    sim.instance.write_file(NETWORKCTL_WRAPPER, f"#!/bin/sh\necho \"$@\" >> {NETWORKCTL_CALLS}\n"
                                                "exec /usr/bin/networkctl \"$@\"\n", mode=0o755)
    sim.instance.write_file(NETWORKCTL_RULE, f'SUBSYSTEM=="net", ENV{{EC2NET_NETWORKCTL}}="{NETWORKCTL_WRAPPER}"\n')
    sim.instance.run(["udevadm", "control", "--reload"])


def reload_calls(sim):
    """The wrapper's calls so far, one argv a line (["reload", ...])."""
    return sim.instance.read_file(NETWORKCTL_CALLS).splitlines() if sim.instance.exists(NETWORKCTL_CALLS) else []


def file_for(sim, eni):
    return f"05-ec2net-{sim.instance.ifname_of(eni.mac)}.network"


# --- foreign state -------------------------------------------------------------------
def foreign_state(sim):
    rules = [r for r in sim.instance.ip_rules() if r.get("src") == "10.9.9.9" and r.get("table") == "77"
             and r["priority"] == 100]
    routes = [r for r in table_routes(sim, 77) if r["dst"] == "10.9.9.0/24" and r.get("dev") == "lo"]
    return bool(rules) and bool(routes)


def assert_foreign_state_survives(sim, step, window=1.0):
    """Still there now and during a short window (networkd acts asynchronously)."""
    deadline = time.monotonic() + window
    while True:
        assert foreign_state(sim), f"after {step}: the foreign rule or route is gone\n" + \
            sim.instance.run(["ip", "rule"]).stdout
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def test_foreign_rule_and_route_survive(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    third = extra_eni(subnet, 2)
    sim.instance.netns.run(["ip", "rule", "add", *FOREIGN_RULE])  # before anything runs
    sim.instance.netns.run(["ip", "route", "add", *FOREIGN_ROUTE])

    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    assert_foreign_state_survives(sim, "plug (boot scan)")

    sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20", "10.0.0.21"])
    scan(sim, "--refresh")
    wait_rule_sources(sim, 10001, {"10.0.0.20", "10.0.0.21"})
    assert_foreign_state_survives(sim, "refresh with a secondary IP added")

    sim.hotplug(third)
    link_configured(sim, third)
    assert_policy_routing(sim, [third])
    assert_foreign_state_survives(sim, "hotplug")

    sim.detach(third)
    wait_rule_sources(sim, 10002, set())
    assert_foreign_state_survives(sim, "unplug")

    sim.instance.networkd.reload()
    assert_foreign_state_survives(sim, "networkctl reload", window=2)
    print("$ ip rule\n" + sim.instance.run(["ip", "rule"]).stdout)
    print("$ ip route show table 77\n" + sim.instance.run(["ip", "route", "show", "table", "77"]).stdout)


# --- opt-outs ------------------------------------------------------------------------
def test_exclude_by_mac_removes_stale_config(sim):
    primary, secondary, third = enis = three_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, enis)
    stale = file_for(sim, secondary)
    assert stale in generated_files(sim)
    wait_rule_sources(sim, 10001, {"10.0.0.20"})

    write_config(sim, f"[Interfaces]\nExclude={secondary.mac}\n")
    scan(sim)
    assert stale not in generated_files(sim), "the next scan removes config generated for an excluded ENI"
    assert file_for(sim, third) in generated_files(sim)
    wait_rule_sources(sim, 10001, set())
    wait_rule_sources(sim, 10002, {"10.0.0.30"})
    link_configured(sim, secondary)  # back on the base config, still up
    assert "80-ec2.network" in sim.instance.networkd.status(sim.instance.ifname_of(secondary.mac))


def test_exclude_by_device_number(sim):
    primary, secondary, third = enis = three_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, enis, config="[Interfaces]\nExclude=device:1\n")
    assert file_for(sim, secondary) not in generated_files(sim)
    assert file_for(sim, third) in generated_files(sim)
    wait_rule_sources(sim, 10002, {"10.0.0.30"})
    assert rule_sources(sim, 10001) == set()

    write_config(sim, "[Interfaces]\nExclude=device:2\n")
    scan(sim)
    assert file_for(sim, third) not in generated_files(sim), "stale config of the newly excluded ENI removed"
    assert file_for(sim, secondary) in generated_files(sim)
    wait_rule_sources(sim, 10001, {"10.0.0.20"})
    wait_rule_sources(sim, 10002, set())


def test_manage_primary_only(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary, third = enis = three_enis_same_subnet(subnet)
    boot_and_scan(sim, enis)
    assert len(generated_files(sim)) == 3

    write_config(sim, "[Interfaces]\nManage=primary-only\n")
    scan(sim)
    assert generated_files(sim) == [file_for(sim, primary)]
    wait_until(lambda: ec2net_tables(sim) == set(), what="no rules for the secondaries' tables")

    fourth = extra_eni(subnet, 3)
    sim.hotplug(fourth)  # udev's ec2-plug honours it too
    link_configured(sim, fourth)
    assert generated_files(sim) == [file_for(sim, primary)]
    assert ec2net_tables(sim) == set()


def test_manage_none_configures_nothing_and_never_reloads(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = enis = two_enis_same_subnet(subnet)
    sim.boot(enis, files={CONFIG_FILE: "[Interfaces]\nManage=none\n"})
    for eni in enis:
        link_configured(sim, eni)
    install_reload_counter(sim)
    sim.instance.udevd.trigger_add()  # the boot's coldplug again, counted: ec2-plug from udev
    sim.instance.udevd.settle()
    assert sim.ec2net("ec2-ifscan", env=COUNTED).returncode == 0
    assert sim.ec2net("ec2-ifscan", "--refresh", env=COUNTED).returncode == 0
    third = extra_eni(subnet, 2)
    sim.hotplug(third)
    link_configured(sim, third)  # by the base config alone

    assert generated_files(sim) == []
    assert ec2net_tables(sim) == set()
    assert reload_calls(sim) == [], "a reload was asked for (ec2-ifscan, or ec2-plug from udev)"

    # The counter works on both paths: with Manage=all the scan reloads once,
    # and udev's ec2-plug of a hot-plugged ENI once more.
    write_config(sim, "[Interfaces]\nManage=all\n")
    assert sim.ec2net("ec2-ifscan", env=COUNTED).returncode == 0
    assert reload_calls(sim) == ["reload"]
    assert len(generated_files(sim)) == 3
    fourth = extra_eni(subnet, 3)
    sim.hotplug(fourth)
    wait_until(lambda: len(generated_files(sim)) == 4, what="udev's ec2-plug wrote the fourth ENI's file")
    wait_until(lambda: reload_calls(sim) == ["reload", "reload"], what="udev's ec2-plug reloaded through the wrapper")


def test_manage_none_changes_nothing_even_with_stale_config(sim):
    """Issue 14: Manage=none means nothing happens from any entry point, even
    with stale generated files, a gone interface and ec2net rules present:
    no file written or removed, no rule cleaned, no reload."""
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    third = extra_eni(subnet, 2)
    enis = [primary, secondary, third]
    boot_and_scan(sim, enis)
    wait_rule_sources(sim, secondary.route_table, set(secondary.ipv4))
    third_name = sim.instance.ifname_of(third.mac)
    write_config(sim, "[Interfaces]\nManage=none\n")
    install_reload_counter(sim)
    sim.detach(third)  # its config is stale now; udev's ec2-unplug must leave it (counted)
    # networkd drops the rules it made for the vanished link by itself, a
    # moment later: wait for that, so the snapshot below is settled.
    wait_rule_sources(sim, third.route_table, set())
    sim.instance.run(["ip", "rule", "add", "from", "10.0.0.99", "lookup", "10001", "priority", "10001"])

    def state():
        files = {f: sim.instance.read_file(f"{GENERATED_DIR}/{f}") for f in generated_files(sim)}
        return files, sim.instance.ip_rules("-4"), sim.instance.ip_rules("-6")

    before = state()
    assert len(before[0]) == 3, "the stale file of the detached ENI is there"
    logged_before = len(sim.instance.syslog.lines())
    secondary_name = sim.instance.ifname_of(secondary.mac)
    for program, *args in (("ec2-ifscan",), ("ec2-ifscan", "--refresh"), ("ec2-plug", secondary_name),
                           ("ec2-unplug", third_name)):
        result = sim.ec2net(program, *args, env=COUNTED)
        assert result.returncode == 0, f"{program}: {result.stderr}"
        assert state() == before, f"{program} {' '.join(args)} changed something"
    assert reload_calls(sim) == [], "a reload was asked for"
    since = sim.instance.syslog.lines()[logged_before:]
    assert not [line for line in since if "removed" in line], since


# --- MTU -----------------------------------------------------------------------------
@pytest.mark.parametrize("dhcp_mtu, config, expected", [(1500, None, 1500), (None, None, 9001),
                                                        (1500, "[Network]\nMTU=4000\n", 4000)],
                         ids=["dhcp-1500", "no-dhcp-option", "config-overrides"])
def test_mtu(sim, dhcp_mtu, config, expected):
    """ENA devices come up at 9001; the link ends at what DHCP announces, unless MTU= is set."""
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", mtu=dhcp_mtu))
    primary, secondary = enis = two_enis_same_subnet(subnet)
    for eni in enis:
        eni.kernel_mtu = 9001
    boot_and_scan(sim, enis, config=config)
    assert_policy_routing(sim, enis)
    for eni in enis:
        name = sim.instance.ifname_of(eni.mac)
        wait_until(lambda: sim.instance.links()[name]["mtu"] == expected,
                   what=f"{name} MTU {expected} (now {sim.instance.links()[name]['mtu']})")
