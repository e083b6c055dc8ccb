"""Scenario 2: hot-plug and detach over QMP, configured by udev's RUN path
inside the real systemd-udevd sandbox (issue 16).

The refresh timer is stopped first, so only udev (ec2-ifname, ec2-plug,
ec2-unplug started by systemd-udevd, in its cgroup, under its
IPAddressDeny=) can configure the hot-plugged NIC.  Then the package's
drop-in systemd-udevd.service.d/ec2net-imds.conf is removed and the same
hot-plug is repeated: ec2-plug cannot reach IMDS and the NIC gets no policy
routing, which proves the drop-in is what makes hot-plug work.
"""
from sim.wait import wait_until

from vm import checks, steps
from vm.machine import eni

UDEVD_DROPIN = "/usr/lib/systemd/system/systemd-udevd.service.d/ec2net-imds.conf"


def ec2net_lines(vm, program, interface):
    return [line for line in vm.ec2net_log().splitlines() if f"{program}: {interface}" in line]


def configured_name(vm, program, mac):
    """The interface name in `PROGRAM: NAME (MAC): configured` (udev renames after add)."""
    for line in vm.ec2net_log().splitlines():
        marker = f" ({mac}): configured"
        if f"{program}: " in line and marker in line:
            return line.split(f"{program}: ", 1)[1].split(marker)[0]
    return None


def hotplug_and_detach(vm, primary, secondary):
    """Attach device 2 over QMP; udev configures it; detach removes it."""
    vm.run("/usr/bin/systemctl", "stop", "ec2-ifscan.timer")
    third = eni(2, vm.subnet)
    vm.hotplug(third)
    checks.wait_policy_routing(vm, [primary, secondary, third], timeout=90)
    name = configured_name(vm, "ec2-plug", third.mac)
    assert name == vm.ifname_of(third.mac), vm.ec2net_log()
    configured = [line for line in ec2net_lines(vm, "ec2-plug", name) if "configured" in line]
    assert configured, vm.ec2net_log()
    print(f"hot-plug of {name}:\n" + "\n".join(checks.rule_lines(vm)) + "\n" + "\n".join(configured))
    generated = f"/run/systemd/network/05-ec2net-{name}.network"
    assert vm.run("/usr/bin/test", "-f", generated, check=False).returncode == 0

    vm.detach(third)
    wait_until(lambda: "lookup 10002" not in vm.ip_rules(), timeout=60, what="table 10002's rule gone")
    wait_until(lambda: vm.run("/usr/bin/test", "-e", generated, check=False).returncode != 0, timeout=30,
               what=f"{generated} removed")
    unplugged = ec2net_lines(vm, "ec2-unplug", name)
    assert unplugged, vm.ec2net_log()
    print(f"detach of {name}:\n" + "\n".join(unplugged))
    assert policy_ok_after(vm, primary, secondary)


def policy_ok_after(vm, primary, secondary):
    return checks.policy_routing_ok(vm, secondary) and checks.no_primary_rules(vm, primary)


def hotplug_fails_without_dropin(vm):
    vm.run("/usr/bin/rm", UDEVD_DROPIN)
    vm.run("/usr/bin/systemctl", "daemon-reload")
    vm.run("/usr/bin/systemctl", "restart", "systemd-udevd.service")
    assert vm.unit_property("systemd-udevd.service", "IPAddressAllow") == ""
    fourth = eni(3, vm.subnet)
    vm.hotplug(fourth)
    # ec2-plug's outcome: it gives up (IMDS unreachable) without writing; run
    # by udev it hands the NIC to the boot scan and exits 0 (issue 16).
    def gave_up():
        name = vm.ifname_of(fourth.mac)
        lines = [line for line in ec2net_lines(vm, "ec2-plug", name) if "IMDS unreachable" in line] if name else []
        return lines and (name, lines)
    name, failed = wait_until(gave_up, timeout=120, interval=1, what="ec2-plug gave up on the 4th NIC")
    print(f"hot-plug of {name} without {UDEVD_DROPIN}:\n" + "\n".join(failed))
    assert "lookup 10003" not in vm.ip_rules()
    assert vm.run("/usr/bin/test", "-e", f"/run/systemd/network/05-ec2net-{name}.network",
                  check=False).returncode != 0
    return failed


def test_hotplug_and_detach_through_udev(vm, deb):
    primary, secondary = steps.boot_two_enis(vm)
    steps.install_ec2net(vm, deb)
    checks.wait_policy_routing(vm, [primary, secondary])
    hotplug_and_detach(vm, primary, secondary)
    hotplug_fails_without_dropin(vm)
