"""An administrator's copy of the base file must not switch ec2net off (issue 16).

The standard way to change a vendor .network is a copy of the same name in
/etc/systemd/network; here /etc/systemd/network/80-ec2.network with
`Driver=virtio_net` (vm/admin.py, network="copy").  The copy keeps the base
file's `Name=!tmp*`, which is no claim on one interface: ec2net must still
configure every ENI (boot scan after `dpkg -i`, and udev on hot-plug).

Before NetworkMatch.claims (a claim names the interface by MAC or exact
name) this failed in the guest: `ec2-ifscan: ens5 (...):
/etc/systemd/network/80-ec2.network claims it; ec2net steps aside`.
"""
from test_hotplug import configured_name
from vm import checks, steps
from vm.machine import eni


def test_admin_copy_of_base_file_is_no_claim(vm, deb):
    primary, secondary = steps.boot_two_enis(vm)
    steps.install_ec2net(vm, deb, network="copy")
    try:
        checks.wait_policy_routing(vm, [primary, secondary], timeout=30)
    finally:
        print("\n".join(line for line in vm.ec2net_log().splitlines() if "claims" in line or "configured" in line))
    assert "claims it" not in vm.ec2net_log()

    # udev on hot-plug: the timer stopped, so only udev's ec2-plug can
    # configure the NIC attached over QMP (as test_hotplug.py does).
    vm.run("/usr/bin/systemctl", "stop", "ec2-ifscan.timer")
    third = eni(2, vm.subnet)
    vm.hotplug(third)
    checks.wait_policy_routing(vm, [primary, secondary, third], timeout=90)
    assert configured_name(vm, "ec2-plug", third.mac) == vm.ifname_of(third.mac), vm.ec2net_log()
    assert "claims it" not in vm.ec2net_log()
