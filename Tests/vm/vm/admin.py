"""What an administrator does to make ec2net treat the guest's virtio-net NICs
as ENIs, with the mechanisms systemd and udev give any administrator, and
nothing test-only inside the package:

* udev: /etc/udev/rules.d/81-ec2net.rules, a copy of the package's rule file
  (same name, so it masks /usr/lib/udev/rules.d/81-ec2net.rules) whose driver
  match names virtio_net;
* networkd: drop-ins /etc/systemd/network/{80-ec2,03-ec2net-pending}.network.d/
  virtio.conf that replace the Driver= lists of the base file and of the
  file that keeps a not-yet-named ENI unmanaged (or, `network="copy"`, an admin copy
  of the base file with the Driver= line changed: the standard way to change a
  vendor .network, and the case issue 16 found ec2net stepping aside for);
* the scan units: drop-ins setting EC2NET_DRIVERS=virtio_net for
  ec2-ifscan.service and ec2-ifscan-refresh.service.

The same for amazon-ec2-net-utils 2.3.0 (`upstream_virtio`): its udev rule
and its 80-ec2.network copied to /etc with virtio_net, and a Driver= drop-in
for each per-interface 70-IFACE.network it links to its vendor file.
"""
import os

from .machine import PROJECT_ROOT

EC2_DRIVERS_MATCH = 'ENV{ID_NET_DRIVER}!="ena|ixgbevf|vif"'
HEADER = "# Admin copy (Tests/vm/vm/admin.py): virtio-net NICs are ENIs on this test VM.\n"


def ec2net_rules():
    with open(os.path.join(PROJECT_ROOT, "rules.d", "81-ec2net.rules")) as f:
        text = f.read()
    assert text.count(EC2_DRIVERS_MATCH) == 1, "81-ec2net.rules: the driver match changed; update admin.py"
    return HEADER + text.replace(EC2_DRIVERS_MATCH, 'ENV{ID_NET_DRIVER}!="virtio_net"')


def ec2net_base_copy():
    with open(os.path.join(PROJECT_ROOT, "units", "80-ec2.network")) as f:
        text = f.read()
    assert text.count("Driver=ena ixgbevf vif\n") == 1
    return HEADER + text.replace("Driver=ena ixgbevf vif\n", "Driver=virtio_net\n")


def ec2net_virtio(vm, network="dropin", reload=True):
    vm.write("/etc/udev/rules.d/81-ec2net.rules", ec2net_rules())
    if network == "dropin":
        vm.write("/etc/systemd/network/80-ec2.network.d/virtio.conf",
                 HEADER + "[Match]\nDriver=\nDriver=virtio_net\n")
    else:
        vm.write("/etc/systemd/network/80-ec2.network", ec2net_base_copy())
    vm.write("/etc/systemd/network/03-ec2net-pending.network.d/virtio.conf",
             HEADER + "[Match]\nDriver=\nDriver=virtio_net\n")
    for unit in ("ec2-ifscan.service", "ec2-ifscan-refresh.service"):
        vm.write(f"/etc/systemd/system/{unit}.d/virtio.conf",
                 HEADER + "[Service]\nEnvironment=EC2NET_DRIVERS=virtio_net\n")
    if reload:
        vm.run("/usr/bin/systemctl", "daemon-reload")
        vm.run("/usr/bin/udevadm", "control", "--reload")


def upstream_virtio(vm):
    """amazon-ec2-net-utils 2.3.0 (Debian): the same, with its own files."""
    rules = vm.read("/usr/lib/udev/rules.d/99-vpc-policy-routes.rules")
    assert 'ENV{ID_NET_DRIVER}=="vif|ena|ixgbevf"' in rules
    vm.write("/etc/udev/rules.d/99-vpc-policy-routes.rules",
             HEADER + rules.replace('ENV{ID_NET_DRIVER}=="vif|ena|ixgbevf"', 'ENV{ID_NET_DRIVER}=="virtio_net"'))
    network = vm.read("/usr/lib/systemd/network/80-ec2.network")
    # Upstream's MTUBytes=9001 is dropped: the taps carry 1500.
    network = network.replace("Driver=ena ixgbevf vif", "Driver=virtio_net").replace("MTUBytes=9001", "")
    vm.write("/etc/systemd/network/80-ec2.network", HEADER + network)
    # Upstream links /run/systemd/network/70-IFACE.network to the vendor file
    # /usr/lib/systemd/network/80-ec2.network (not to the /etc copy), so its
    # Driver= needs a drop-in per interface name as well.
    for link in vm.ip("link", "show"):
        if link["ifname"] != "lo":
            vm.write(f"/etc/systemd/network/70-{link['ifname']}.network.d/virtio.conf",
                     HEADER + "[Match]\nDriver=\nDriver=virtio_net\n")
    vm.run("/usr/bin/systemctl", "daemon-reload")
    vm.run("/usr/bin/udevadm", "control", "--reload")
