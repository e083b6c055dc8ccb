"""Scenario 3: the swapped primary, on a real kernel and real udev (issue 16).

With net.ifnames=0 the kernel names NICs eth0, eth1... in PCI probe order.
The primary ENI (device-number 0) on the later PCI slot is then `eth1`, the
field case of the swapped primary.  With `[Naming] Mode=device-index`
ec2net must make default traffic leave through the primary on the first
boot, and on the next boot of the same disk name the primary `eth0` (the
naming map recorded both MACs), the secondary `eth1`, leave no link on a
temporary name `tmp<MAC>`, and configure both.  Both PCI orders are run.
"""
import pytest
from sim.wait import wait_until

from vm import checks, steps
from vm.machine import eni

NAMING = "[Naming]\nMode=device-index\n"


def names(vm):
    return {link["ifname"]: link.get("address") for link in vm.ip("link", "show") if link["ifname"] != "lo"}


def egress_dev(vm):
    """The link the guest's traffic to a non-local address leaves by (IMDS's, via the default route)."""
    return vm.ip("route", "get", "169.254.169.254")[0]["dev"]


@pytest.mark.parametrize("primary_slot,secondary_slot", [(6, 5), (5, 6)], ids=["primary-on-later-slot",
                                                                                  "primary-on-first-slot"])
def test_swapped_primary_two_boots(vm, deb, primary_slot, secondary_slot):
    primary, secondary = eni(0, vm.subnet, slot=primary_slot), eni(1, vm.subnet, slot=secondary_slot)
    vm.boot([primary, secondary], append="net.ifnames=0")
    print("kernel names before ec2net:", names(vm))
    vm.write("/etc/ec2net/ec2net.conf.d/50-naming.conf", NAMING)
    steps.install_ec2net(vm, deb)
    checks.wait_policy_routing(vm, [primary, secondary])

    for boot in (1, 2):
        vm.reboot()
        rules = checks.wait_policy_routing(vm, [primary, secondary])
        checks.wait_boot_finished(vm)
        links = names(vm)
        print(f"boot {boot}: links {links}\n" + "\n".join(rules))
        wait_until(lambda: egress_dev(vm) == vm.ifname_of(primary.mac), timeout=60,
                   what=f"boot {boot}: default egress via the primary {primary.mac}")
        assert not [n for n in links if n.startswith("tmp")], links
        assert vm.failed_units() == [], vm.failed_units()
        assert checks.unit_succeeded(vm, "ec2-ifscan.service")[0]
    # The second boot of the same disk: device-index names from the map.
    assert vm.ifname_of(primary.mac) == "eth0"
    assert vm.ifname_of(secondary.mac) == "eth1"
    print("ec2net journal, boot 2:\n" + vm.ec2net_log())
