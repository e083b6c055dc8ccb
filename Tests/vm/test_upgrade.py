"""Scenario 6: the .deb across its life on a running guest (issue 23).

1. `Manage=none` laid down first (a drop-in, as an image pipeline would):
   `dpkg -i` changes nothing outside the package's own files: the file list
   of /etc gains only the package's conffile, the enabled unit files are the
   same, nothing is written to /run/systemd/network.  Purged again.
2. Version N-1 (the same sources as 0.0.9 with two marked files,
   vm/previous.py) installed normally; then N over it while one ping loop
   runs to the primary and one to the secondary: systemd and udevd took N's
   definitions (NeedDaemonReload=no, the timer's Description= and udevd's
   IPAddressAllow= are N's), a NIC hot-plugged right after is configured by
   ec2-plug (its line is printed), the generated config and the naming map
   are unchanged, the refresh timer is active, and neither ping loop (from
   the VPC to the primary's and the secondary's address, every 0.1 s, from
   before `dpkg -i` to 20 replies after the hot-plug's scan) lost a reply.
3. `dpkg --purge ec2net` and a reboot: DHCP only (the image's
   90-vm-dhcp.network), IMDS still reachable.
"""
import pytest

from sim.wait import wait_until

from test_hotplug import configured_name
from test_migration import imds_reachable
from vm import admin, checks, previous, steps
from vm.machine import eni
from vm.pinger import Pinger

UNITS = ("ec2-ifscan.service", "ec2-ifscan.timer", "ec2-hostname.service", "systemd-udevd.service")


@pytest.fixture(scope="module")
def previous_deb(deb):
    return previous.deb(deb)


def etc_files(vm):
    return set(vm.run("/usr/bin/find", "/etc").stdout.split())


def enabled_units(vm):
    # Retried: under TCG a busy systemd can time out on D-Bus (a bound, not a timing).
    def listed():
        result = vm.run("/usr/bin/systemctl", "list-unit-files", "--state=enabled", "--no-legend", "--plain",
                        check=False)
        return result.returncode == 0 and (result.stdout or "-")
    out = wait_until(listed, timeout=120, interval=2, what="systemctl list-unit-files")
    return sorted(line.split()[0] for line in out.splitlines() if line.strip() and line != "-")


def generated(vm):
    names = vm.run("/usr/bin/find", "/run/systemd/network", "-name", "05-ec2net-*").stdout.split()
    return {name: vm.read(name) for name in sorted(names)}


def naming_map(vm):
    return set(vm.run("/usr/bin/cat", "/var/lib/ec2net/interfaces", check=False).stdout.splitlines())


def manage_none_changes_nothing(vm, package):
    vm.write("/etc/ec2net/ec2net.conf.d/50-image.conf", "[Interfaces]\nManage=none\n")
    files, units = etc_files(vm), enabled_units(vm)
    networkd = vm.unit_property("systemd-networkd.service", "ActiveEnterTimestampMonotonic")
    installed = vm.install_deb(package, "ec2net-previous.deb")
    print("dpkg -i with Manage=none:", installed.stdout.strip())
    assert "Manage=none: nothing enabled or started" in installed.stdout
    added, removed = etc_files(vm) - files, files - etc_files(vm)
    print(f"/etc after: added {sorted(added)}, removed {sorted(removed)}")
    assert added == {"/etc/ec2net/ec2net.conf"} and not removed
    assert enabled_units(vm) == units, "enabled unit files changed"
    assert vm.unit_property("systemd-networkd.service", "ActiveEnterTimestampMonotonic") == networkd
    assert generated(vm) == {}
    vm.run("/usr/bin/dpkg", "--purge", "ec2net", timeout=300)
    vm.remove("/etc/ec2net/ec2net.conf.d/50-image.conf")


def test_manage_none_upgrade_in_place_then_purge(vm, deb, previous_deb):
    primary, secondary = steps.boot_two_enis(vm)
    admin.ec2net_virtio(vm)
    manage_none_changes_nothing(vm, previous_deb)

    vm.install_deb(previous_deb, "ec2net-previous.deb")
    checks.wait_policy_routing(vm, [primary, secondary])
    assert vm.unit_property("ec2-ifscan.timer", "Description").endswith(previous.PREVIOUS_MARK)
    wait_until(lambda: vm.run("/usr/bin/systemctl", "is-active", "ec2-ifscan.service", check=False).stdout.strip()
               != "activating", timeout=120, what="N-1's scan finished")
    config, naming = generated(vm), naming_map(vm)
    assert naming, "N-1 wrote a naming map"

    pingers = {e.ipv4[0]: Pinger(vm.vpc, e.ipv4[0], name=f"ping-{e.device_number}") for e in (primary, secondary)}
    try:
        wait_until(lambda: all(p.replies() for p in pingers.values()), timeout=30, what="ping replies")
        upgraded = vm.install_deb(deb, "ec2net.deb")
        print("dpkg -i N over N-1:", upgraded.stdout.strip(), upgraded.stderr.strip())
        # Units and the udevd drop-in reloaded and in force.
        for unit in UNITS:
            assert vm.unit_property(unit, "NeedDaemonReload") == "no", unit
        assert not vm.unit_property("ec2-ifscan.timer", "Description").endswith(previous.PREVIOUS_MARK)
        assert "fd00:ec2::254" in vm.unit_property("systemd-udevd.service", "IPAddressAllow")
        # A hot-plug right after the upgrade, configured by udev's ec2-plug.
        third = eni(2, vm.subnet)
        vm.hotplug(third)
        checks.wait_policy_routing(vm, [primary, secondary, third], timeout=90)
        name = configured_name(vm, "ec2-plug", third.mac)
        assert name, vm.ec2net_log()
        plugged = [line for line in vm.ec2net_log().splitlines() if f"ec2-plug: {name} ({third.mac}): configured"
                   in line]
        print("HOTPLUG after upgrade: " + plugged[-1])
        wait_until(lambda: vm.run("/usr/bin/systemctl", "is-active", "ec2-ifscan.service",
                                  check=False).stdout.strip() != "activating", timeout=120, what="scan finished")
        count = {a: len(p.replies()) for a, p in pingers.items()}
        wait_until(lambda: all(len(p.replies()) >= count[a] + 20 for a, p in pingers.items()), timeout=60,
                   what="ping replies after the upgrade")
    finally:
        for p in pingers.values():
            p.stop()
    gaps = {address: (*p.longest_gap(), p.lost()) for address, p in pingers.items()}
    for address, (gap, replies, lost) in gaps.items():
        print(f"UPGRADE: ping loop to {address}: {lost} lost, {replies} replies, longest gap {gap:.2f} s")
    assert all(lost == 0 for _, _, lost in gaps.values()), gaps

    after = generated(vm)
    assert {k: v for k, v in after.items() if k in config} == config, "generated config changed"
    assert naming <= naming_map(vm), "naming map lost entries"
    assert vm.run("/usr/bin/systemctl", "is-active", "ec2-ifscan.timer", check=False).stdout.strip() == "active"
    assert vm.failed_units() == [], vm.failed_units()

    vm.run("/usr/bin/dpkg", "--purge", "ec2net", timeout=300)
    vm.reboot()
    checks.wait_boot_finished(vm)
    wait_until(lambda: imds_reachable(vm), timeout=120, what="IMDS reachable after purge")
    rules = checks.rule_lines(vm)
    print("after purge and reboot:\n" + "\n".join(rules))
    assert not [line for line in rules if "lookup 100" in line]
    assert vm.run("/usr/bin/ls", "/run/systemd/network").stdout.strip() == ""
    assert vm.run("/usr/bin/test", "-e", "/var/lib/ec2net", check=False).returncode != 0
