"""An administrator's copy of the base file must not switch ec2net off (issue 16).

The standard way to change a vendor .network is a copy of the same name in
/etc/systemd/network; here /etc/systemd/network/80-ec2.network with
`Driver=virtio_net` (vm/admin.py, network="copy").  The copy keeps the base
file's `Name=!tmp*`, which is no claim on one interface: ec2net must still
configure every ENI (boot scan after `dpkg -i`, and udev on hot-plug).

On branch vm this fails (AdminNetworkFiles takes any Name= match for a
claim: `ec2-ifscan: ens5 (...): /etc/systemd/network/80-ec2.network claims
it; ec2net steps aside`); NetworkMatch.claims in main (a claim names the
interface by MAC or exact name) fixes it.  The marker goes with that merge.
"""
import pytest

from vm import checks, steps


@pytest.mark.xfail(reason="NetworkMatch.claims fix pending in main (issue 16, defect a)", strict=False)
def test_admin_copy_of_base_file_is_no_claim(vm, deb):
    primary, secondary = steps.boot_two_enis(vm)
    steps.install_ec2net(vm, deb, network="copy")
    try:
        checks.wait_policy_routing(vm, [primary, secondary], timeout=30)
    finally:
        print("\n".join(line for line in vm.ec2net_log().splitlines() if "claims" in line or "configured" in line))
    assert "claims it" not in vm.ec2net_log()
