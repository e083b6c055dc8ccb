"""Scenario 5: migration from Debian's amazon-ec2-net-utils 2.3.0 (issue 16).

amazon-ec2-net-utils 2.3.0-3 (bookworm's package, stashed in the image) is
installed with the administrator's virtio settings and the guest rebooted:
it configures both ENIs.  Then, while a ping loop runs from the VPC
namespace to the primary's address, ec2net's .deb is installed over it on
the running guest (Conflicts/Replaces: dpkg removes upstream).  Afterwards
the secondary's policy routing is the same, upstream's units and timers are
gone, and the longest gap in the ping loop is reported (a measurement for
bench/README.md, not an assertion).  Last, `apt-get purge ec2net` and a
reboot leave DHCP-only networking (the image's 90-vm-dhcp.network) that
still reaches IMDS.
"""
import glob

from sim.wait import wait_until

from vm import admin, checks, steps
from vm.pinger import Pinger

UPSTREAM_UNITS = ("policy-routes@*", "refresh-policy-routes@*")


def secondary_routing(vm, secondary):
    rules = [line.split(":", 1)[1].split(" proto")[0].strip() for line in checks.rule_lines(vm)
             if f"lookup {secondary.route_table}" in line]
    # As sets: upstream installs the table's default route twice (proto static and dhcp).
    routes = sorted({line.split(" proto")[0].strip() for line in vm.run(
        "/usr/sbin/ip", "-4", "route", "show", "table", str(secondary.route_table)).stdout.splitlines()})
    return rules, [r for r in routes if r.startswith("default")]


def upstream_units(vm):
    out = vm.run("/usr/bin/systemctl", "list-units", "--all", "--plain", "--no-legend", *UPSTREAM_UNITS).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def imds_reachable(vm):
    result = vm.run("/usr/bin/curl", "-s", "-m", "3", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60",
                    "http://169.254.169.254/latest/api/token", check=False)
    return result.returncode == 0 and len(result.stdout) > 10


def test_migration_from_amazon_ec2_net_utils(vm, deb):
    primary, secondary = steps.boot_two_enis(vm)
    debs = vm.run("/usr/bin/find", "/opt/ec2net-vm/debs", "-name", "amazon-ec2-net-utils_*.deb").stdout.split()
    assert debs, "amazon-ec2-net-utils is stashed in the image (vm/image.py)"
    vm.run("/usr/bin/dpkg", "-i", debs[0], timeout=300)
    admin.upstream_virtio(vm)
    vm.reboot()
    checks.wait_policy_routing(vm, [primary, secondary])
    before = secondary_routing(vm, secondary)
    print("amazon-ec2-net-utils 2.3.0:\n" + "\n".join(checks.rule_lines(vm)) + f"\nunits: {upstream_units(vm)}")
    assert upstream_units(vm)

    pinger = Pinger(vm.vpc, primary.ipv4[0])
    wait_until(lambda: pinger.replies(), timeout=30, what="ping replies from the primary")
    installed = steps.install_ec2net(vm, deb)
    print(installed.stdout + installed.stderr)
    checks.wait_policy_routing(vm, [primary, secondary])
    wait_until(lambda: vm.run("/usr/bin/systemctl", "is-active", "ec2-ifscan.service", check=False).stdout.strip()
               != "activating", timeout=120, what="ec2-ifscan.service finished")
    # Some seconds more of ping after ec2net's own reload.
    count = len(pinger.replies())
    wait_until(lambda: len(pinger.replies()) >= count + 30, timeout=60, what="ping replies after the install")
    pinger.stop()
    gap, replies = pinger.longest_gap()
    print(f"MIGRATION: longest gap in the ping loop to the primary {primary.ipv4[0]}: {gap:.2f} s "
          f"({replies} replies, one every {0.1} s)")

    after = secondary_routing(vm, secondary)
    print(f"secondary's policy routing before {before}, after {after}")
    assert after == before
    # dpkg removed it (Conflicts + Replaces), leaving at most its conffiles.
    status = vm.run("/usr/bin/dpkg-query", "-W", "-f", "${Status}", "amazon-ec2-net-utils", check=False).stdout
    assert not status.strip().endswith(" installed"), status
    wait_until(lambda: upstream_units(vm) == [], timeout=60, what="upstream's units gone")
    assert "refresh-policy-routes" not in vm.run("/usr/bin/systemctl", "list-timers", "--all").stdout
    assert vm.failed_units() == [], vm.failed_units()
    print("ec2net journal:\n" + vm.ec2net_log())

    vm.run("/usr/bin/apt-get", "purge", "-y", "ec2net", timeout=300)
    vm.reboot()
    checks.wait_boot_finished(vm)
    wait_until(lambda: imds_reachable(vm), timeout=120, what="IMDS reachable after purge")
    rules = checks.rule_lines(vm)
    print("after purge and reboot:\n" + "\n".join(rules))
    assert not [line for line in rules if "lookup 100" in line]
    assert vm.run("/usr/bin/ls", "/run/systemd/network").stdout.strip() == ""
