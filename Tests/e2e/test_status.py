"""Issue 15: `ec2net status` on the simulated instance: what each ENI should
have, what the kernel has, and why not. Read-only: it changes nothing."""
import json
import os
import subprocess

import pytest

from scenarios import (GENERATED_DIR, assert_policy_routing, boot_and_scan, one_subnet, swapped_enis,
                       three_enis_same_subnet, two_enis_same_subnet)
from sim.simulation import LIBEXEC, binaries_present, build_dir
from sim.topology import Eni, Subnet
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")


def status(sim, *args):
    return sim.ec2net("ec2net", "status", *args)


def status_json(sim, *args):
    result = status(sim, "--json", *args)
    return result.returncode, json.loads(result.stdout)


def wait_healthy(sim):
    """networkd applies the scan's files asynchronously: wait until status agrees."""
    wait_until(lambda: status(sim).returncode == 0, timeout=30,
               what="ec2net status exits 0\n" + status(sim).stdout)
    return status(sim)


def boot_healthy(sim, enis, config=None):
    """Boot, scan, and wait until networkd applied everything; status's output then."""
    boot_and_scan(sim, enis, config=config)
    return wait_healthy(sim)


def by_mac(report, mac):
    return next(i for i in report["interfaces"] if i["mac"] == mac)


def instance_state(sim):
    """Everything status must not change: the generated tree, the naming map, rules, routes, addresses."""
    files = {name: sim.instance.read_file(f"{GENERATED_DIR}/{name}") for name in sim.instance.listdir(GENERATED_DIR)}
    return {
        "files": files,
        "run": sim.instance.listdir("/run/ec2net"),
        "map": sim.instance.read_file("/var/lib/ec2net/interfaces") if sim.instance.exists("/var/lib/ec2net/interfaces") else None,
        "rules": sim.instance.run(["ip", "rule"]).stdout + sim.instance.run(["ip", "-6", "rule"]).stdout,
        "routes": sim.instance.run(["ip", "route", "show", "table", "all"]).stdout
        + sim.instance.run(["ip", "-6", "route", "show", "table", "all"]).stdout,
        "addresses": sim.instance.run(["ip", "-br", "addr"]).stdout,
        "links": sim.instance.run(["ip", "-br", "link"]).stdout,
    }


def test_healthy_after_boot_scan_and_changes_nothing(sim):
    enis = three_enis_same_subnet(sim.add_subnet(one_subnet()))
    healthy = boot_healthy(sim, enis)
    assert_policy_routing(sim, enis)
    print("$ ec2net status\n" + healthy.stdout)
    assert healthy.stdout.startswith("ec2net status: ok, 3 managed ENIs")
    assert all(len(line) <= 80 for line in healthy.stdout.splitlines())
    assert "\x1b[" not in healthy.stdout, "no colour when stdout is not a terminal"

    before = instance_state(sim)
    code, report = status_json(sim)
    assert code == 0 and report["verdict"] == "ok" and report["exit_code"] == 0
    assert status(sim, "--no-imds").returncode == 0
    assert instance_state(sim) == before, "ec2net status changed something"

    # No privilege needed: rtnetlink dumps, sysfs, the files and IMDS are readable by anyone.
    unprivileged = sim.instance.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                     f"{LIBEXEC}/ec2net", "status"], check=False, env={"EC2NET_DRIVERS": "veth"})
    assert unprivileged.returncode == 0, unprivileged.stdout + unprivileged.stderr
    assert unprivileged.stdout == healthy.stdout

    primary, secondary, third = enis
    p = by_mac(report, primary.mac)
    assert (p["primary"], p["managed"], p["device_number"], p["table"]) == (True, True, 0, 10000)
    s = by_mac(report, secondary.mac)
    assert (s["name"], s["interface_id"], s["table"], s["rule_priority"], s["metric"]) == \
        ("eth2", secondary.eni_id, 10001, 10001, 513)
    assert s["file"] == {"name": "05-ec2net-eth2.network", "state": "up-to-date"}
    assert secondary.eni_id in s["altnames"]
    assert {c["kind"] for c in s["checks"]} == {"rule", "table-route", "main-default"}
    assert all(c["present"] for i in report["interfaces"] for c in i["checks"])
    assert report["egress"][0] == {"family": "ipv4", "interface": "eth1", "mac": primary.mac, "metric": 512,
                                   "primary": True}


def status_on_a_terminal(sim, env=None):
    """`ec2net status` with a pseudo-terminal as standard output: what a person sees."""
    leader, follower = os.openpty()
    try:
        command = sim.instance.command([f"{LIBEXEC}/ec2net", "status"])
        process = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL,
                                   env=dict(os.environ, EC2NET_DRIVERS="veth", **(env or {})))
        os.close(follower)
        follower = None
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=60) == 0
        return output.decode()
    finally:
        os.close(leader)
        if follower is not None:
            os.close(follower)


def test_colour_only_on_a_terminal_and_never_with_no_color(sim):
    enis = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_healthy(sim, enis)
    assert "\x1b[32mec2net status: ok" in status_on_a_terminal(sim)
    assert "\x1b[" not in status_on_a_terminal(sim, {"NO_COLOR": "1"})


def test_deleted_rule_is_drift_and_named(sim):
    enis = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_healthy(sim, enis)

    sim.instance.run(["ip", "rule", "del", "from", "10.0.0.20", "lookup", "10001", "priority", "10001"])
    drift = status(sim)
    print("$ ip rule del from 10.0.0.20 lookup 10001 priority 10001\n$ ec2net status\n" + drift.stdout)
    assert drift.returncode == 1, drift.stdout + drift.stderr
    assert drift.stdout.startswith("ec2net status: DRIFT, 1 problem")
    assert "! missing rule from 10.0.0.20/32 lookup 10001 priority 10001" in drift.stdout
    # Problems first: the drifting ENI's block comes before the healthy one.
    assert drift.stdout.index("eth2") < drift.stdout.index("eth1")

    code, report = status_json(sim)
    assert code == 1 and report["verdict"] == "drift"
    missing = [c for c in by_mac(report, enis[1].mac)["checks"] if not c["present"]]
    assert missing == [{"kind": "rule", "family": "ipv4", "present": False,
                        "expected": "rule from 10.0.0.20/32 lookup 10001 priority 10001"}]
    # Only the named ENI: eth1 matches, and eth2 is not shown.
    only = status(sim, "eth1")
    assert only.returncode == 0 and "eth2" not in only.stdout, only.stdout
    unknown = status(sim, "eth9")
    assert unknown.returncode == 69 and "no ENI called eth9" in unknown.stderr


def test_excluded_eni_shows_the_reason(sim):
    enis = three_enis_same_subnet(sim.add_subnet(one_subnet()))
    result = boot_healthy(sim, enis, config="[Interfaces]\nExclude=02:00:00:00:00:30\n")
    print("$ ec2net status\n" + result.stdout)
    assert "not managed: excluded by Exclude=02:00:00:00:00:30" in result.stdout
    _, report = status_json(sim)
    third = by_mac(report, enis[2].mac)
    assert (third["managed"], third["reason_code"], third["file"]["state"], third["checks"]) == \
        (False, "excluded", "none", [])


def test_swapped_primary_says_where_default_traffic_leaves(sim):
    """The kernel named device 1 `eth0` and the primary `eth1` (naming Mode=keep)."""
    primary, secondary = swapped_enis(sim.add_subnet(one_subnet()))
    healthy = boot_healthy(sim, [primary, secondary])
    assert f"IPv4 default route: eth1 ({primary.mac}), metric 512, primary ENI" in healthy.stdout

    # Something else prefers eth0 (device 1) for default traffic.
    sim.instance.run(["ip", "route", "add", "default", "via", "10.0.0.1", "dev", "eth0", "metric", "100"])
    swapped = status(sim)
    print("$ ec2net status\n" + swapped.stdout)
    assert swapped.returncode == 1
    assert "! IPv4 default traffic leaves by eth0, not by the primary ENI eth1" in swapped.stdout
    assert f"IPv4 default route: eth0 ({secondary.mac}), metric 100, NOT the primary ENI" in swapped.stdout
    _, report = status_json(sim)
    assert report["egress"][0] == {"family": "ipv4", "interface": "eth0", "mac": secondary.mac, "metric": 100,
                                   "primary": False}


def test_no_imds_when_imds_is_unreachable(sim):
    enis = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_healthy(sim, enis)
    sim.imds.stop()

    unreachable = status(sim)
    print("$ ec2net status   # IMDS stopped\n" + unreachable.stdout)
    assert unreachable.returncode == 75, unreachable.stdout + unreachable.stderr
    assert unreachable.stdout.startswith("ec2net status: CANNOT TELL, IMDS could not be read")
    assert "IMDS unreachable: cannot connect to 169.254.169.254" in unreachable.stdout

    offline = status(sim, "--no-imds")
    print("$ ec2net status --no-imds\n" + offline.stdout)
    assert offline.returncode == 0, offline.stdout
    assert "IMDS not read (--no-imds)" in offline.stdout
    code, report = status_json(sim, "--no-imds")
    assert (code, report["imds"]["state"]) == (0, "skipped")
    assert by_mac(report, enis[1].mac)["file"]["state"] == "not-checked"


def test_dual_stack_ipv6_parts_are_checked(sim):
    """IPv6 rules, the IPv6 table routes and the RA default route in main are expected and found."""
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", ipv6_cidr="fd00:ec2:0:1::/64"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"], ipv6=["fd00:ec2:0:1::10"])
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20"], ipv6=["fd00:ec2:0:1::20"])
    result = boot_healthy(sim, [primary, secondary])
    print("$ ec2net status\n" + result.stdout)
    _, report = status_json(sim)
    checks = {(c["family"], c["kind"]) for c in by_mac(report, secondary.mac)["checks"]}
    assert {("ipv6", "rule"), ("ipv6", "table-route"), ("ipv6", "main-default")} <= checks
    assert [e["family"] for e in report["egress"]] == ["ipv4", "ipv6"]


def test_status_cannot_be_fooled(sim):
    """Issue 20: a rule replaced by `not from`, a blackhole default in the
    ENI's table, a rule ahead of ec2net's sending its source elsewhere: each
    is drift (exit 1), not "ok". The issue's 10.0.1.x adapted to this subnet."""
    enis = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_healthy(sim, enis)

    def drifts(step, expected, code=1):
        result = status(sim)
        print(f"$ {step}\n$ ec2net status\n" + result.stdout)
        assert result.returncode == code, result.stdout + result.stderr
        assert expected in result.stdout.replace("\n        ", " "), result.stdout

    run = sim.instance.run
    run(["ip", "rule", "del", "from", "10.0.0.20", "lookup", "10001", "priority", "10001"])
    run(["ip", "rule", "add", "not", "from", "10.0.0.20", "lookup", "10001", "priority", "10001"])
    # `not from 10.0.0.20` also sends the primary's traffic (10.0.0.10, IMDS
    # requests too) out of eth2, where EC2's source/destination check drops
    # it (sim/srcdst.py): IMDS cannot be read (75), and the drift is named.
    drifts("ip rule add not from 10.0.0.20 lookup 10001 priority 10001   # instead of ec2net's",
           "! missing rule from 10.0.0.20/32 lookup 10001 priority 10001", code=75)
    run(["ip", "rule", "del", "not", "from", "10.0.0.20", "lookup", "10001", "priority", "10001"])
    run(["ip", "rule", "add", "from", "10.0.0.20", "lookup", "10001", "priority", "10001"])
    wait_healthy(sim)

    # At metric 0, ahead of networkd's default at the ENI's metric, which stays.
    run(["ip", "route", "add", "blackhole", "default", "table", "10001"])
    drifts("ip route add blackhole default table 10001", "! missing route IPv4 default in table 10001")
    run(["ip", "route", "del", "blackhole", "default", "table", "10001"])
    wait_healthy(sim)

    run(["ip", "rule", "add", "from", "10.0.0.20", "lookup", "10002", "priority", "10000"])
    drifts("ip rule add from 10.0.0.20 lookup 10002 priority 10000",
           "! rule 10000 shadows ec2net's rule for 10.0.0.20/32: from 10.0.0.20/32 lookup 10002 priority 10000")
    code, report = status_json(sim)
    assert code == 1 and by_mac(report, enis[1].mac)["shadowing_rules"] == [
        {"priority": 10000, "rule": "from 10.0.0.20/32 lookup 10002 priority 10000",
         "shadows": "from 10.0.0.20/32 lookup 10001 priority 10001"}]
    run(["ip", "rule", "del", "from", "10.0.0.20", "lookup", "10002", "priority", "10000"])
    wait_healthy(sim)
