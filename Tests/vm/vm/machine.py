"""One EC2-like instance in a VPC of its own: a QEMU guest, always torn down.

    with Instance() as vm:
        primary, secondary = two_enis()
        vm.boot([primary, secondary])          # DHCP + IMDS up, guest booted, agent answers
        vm.install_ec2net(deb)                 # dpkg -i in the running guest
        vm.reboot()
        vm.ip_rules()

The VPC is the e2e suite's (Tests/e2e/sim/vpc.py): a network namespace bound
to a file in the run directory, a bridge br-a carrying the VPC router
10.0.0.1/24, dnsmasq with fixed leases by MAC, 169.254.169.254 with the mock
IMDS (Tests/support/mock_imds.py).  Each NIC is a tap on that bridge, opened
by QEMU, which runs inside the namespace: nothing is created in the host's
network namespace.  Run directories: /tmp/ec2net-vm/ec2net-<pid>-<n>
(EC2NET_VM_DIR); a killed run's leftovers are removed by the next session
(Tests/e2e/cleanup.py with that base).
"""
import atexit
import itertools
import json
import os
import shutil
import time

from sim.imds import MockImds
from sim.topology import Eni, Subnet
from sim.vpc import IMDS_IPV4, Vpc
from sim.wait import wait_until

from . import image
from .qemu import Nic, Overlay, Qemu

BASE_DIR = os.environ.get("EC2NET_VM_DIR", "/tmp/ec2net-vm")
# IMDS's local-hostname of every guest (the primary ENI's 10.0.0.10, in the
# form EC2 uses in us-east-1: ip-a-b-c-d.ec2.internal, AWS "Amazon EC2
# instance hostname types").
LOCAL_HOSTNAME = "ip-10-0-0-10.ec2.internal"
PROJECT_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
# The guest is qemu-system-x86_64's: out/ may also hold the arm64 .deb and
# aarch64 .rpm of a cross build (make packaging-check ARCH=aarch64), which
# this guest cannot install, so the packages under test are chosen by these.
GUEST_DEB_ARCH = "amd64"
GUEST_RPM_ARCH = "x86_64"
_run_numbers = itertools.count()


def subnet():
    return Subnet("a", "10.0.0.0/24")


def eni(n, subnet, slot=None):
    """ENI number n: device-number n, MAC 02:00:0a:00:00:n0, 10.0.0.(n+1)0, PCI slot 5+n."""
    e = Eni(f"02:00:0a:00:00:{n + 1}0", subnet, device_number=n, kernel_name="-",
            ipv4=[f"10.0.0.{n + 1}0"], eni_id=f"eni-0000000000000a0{n + 1}0")
    e.slot = 5 + n if slot is None else slot
    return e


class Instance:
    def __init__(self, keep=None, name="guest"):
        number = next(_run_numbers)
        self.run_id = f"ec2net-{os.getpid()}-{number}"
        self.run_dir = os.path.join(BASE_DIR, self.run_id)
        self.keep = bool(os.environ.get("EC2NET_VM_KEEP")) if keep is None else keep
        self.name = name
        self.vpc = None
        self.imds = None
        self.qemu = None
        self.enis = []
        self.subnet = None
        self._closed = False

    def __enter__(self):
        atexit.register(self.close)
        try:
            netns_dir = os.path.join(self.run_dir, "netns")
            os.makedirs(netns_dir)
            os.makedirs(os.path.join(self.run_dir, "logs"))
            self.vpc = Vpc(self.run_id, self.run_dir, netns_dir, f"ec2net-vmvpc-{self.run_id[7:]}",
                           verbose=bool(os.environ.get("EC2NET_VM_DEBUG")))
            self.subnet = self.vpc.add_subnet(subnet())
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.close()

    # --- boot ------------------------------------------------------------------------
    def boot(self, enis, append="", disk=None, image_paths=None):
        """Start DHCP and IMDS with these ENIs, then the guest with one NIC per ENI
        (from the test image, or image_paths: the product of image.ensure_product)."""
        self.enis = list(enis)
        for e in self.enis:
            self.vpc.dhcp.add_fixed_lease(e.mac, e.ipv4[0])
        self.vpc.start_dhcp()
        primary = next(e for e in self.enis if e.device_number == 0)
        self.imds = MockImds(self.vpc, [IMDS_IPV4])
        self.imds.start({"mac": primary.mac, "http_tokens": "required",
                         "local-hostname": LOCAL_HOSTNAME,
                         "interfaces": [e.imds_interface() for e in self.enis]})
        paths = image_paths or image.ensure()
        self.disk = disk or Overlay(paths["rootfs"], os.path.join(self.run_dir, "disk.qcow2"))
        nics = [Nic(i, e.mac, e.slot) for i, e in enumerate(self.enis)]
        for e, n in zip(self.enis, nics):
            e.nic = n
        self.qemu = Qemu(self.vpc, paths, self.disk, nics, append=append, name=self.name)
        self.qemu.start()
        return self

    def reboot(self):
        self.qemu.reboot()

    # --- driving the guest -----------------------------------------------------------
    def run(self, *argv, check=True, timeout=120, input=None):
        return self.qemu.exec(*argv, check=check, timeout=timeout, input=input)

    def write(self, path, content):
        self.qemu.write(path, content)

    def read(self, path):
        return self.qemu.read(path)

    def remove(self, *paths):
        self.run("/usr/bin/rm", "-f", *paths)

    def install_deb(self, deb, name=None):
        """Copy a .deb into the guest and `dpkg -i` it on the running system."""
        target = f"/var/tmp/{name or os.path.basename(deb)}"
        with open(deb, "rb") as f:
            self.qemu.agent.write_file(target, f.read())
        return self.run("/usr/bin/dpkg", "-i", target, timeout=300)

    def ip_rules(self, family="-4"):
        return self.run("/usr/sbin/ip", family, "rule", "show").stdout

    def ip(self, *args):
        return json.loads(self.run("/usr/sbin/ip", "-j", *args).stdout or "[]")

    def ifname_of(self, mac):
        for link in self.ip("link", "show"):
            if link.get("address") == mac:
                return link["ifname"]
        return None

    def default_route(self):
        routes = self.ip("-4", "route", "show", "default")
        return min(routes, key=lambda r: r.get("metric", 0)) if routes else None

    def journal(self, *args):
        return self.run("/usr/bin/journalctl", "--no-pager", "-o", "short-monotonic", "-b", *args,
                        check=False).stdout

    def ec2net_log(self):
        return self.journal("-t", "ec2net")

    def failed_units(self):
        out = self.run("/usr/bin/systemctl", "list-units", "--failed", "--plain", "--no-legend").stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def unit_property(self, unit, prop):
        return self.run("/usr/bin/systemctl", "show", "-P", prop, unit).stdout.strip()

    def uptime(self):
        return float(self.read("/proc/uptime").split()[0])

    # --- NICs ------------------------------------------------------------------------
    def hotplug(self, e):
        """Attach an ENI: IMDS and DHCP learn it first, then the PCI device appears."""
        self.vpc.dhcp.add_fixed_lease(e.mac, e.ipv4[0])
        self.imds.attach(e.imds_interface())
        e.nic = Nic(len(self.qemu.nics) + 10 + e.device_number, e.mac, e.slot)
        self.qemu.hotplug(e.nic)
        self.enis.append(e)

    def detach(self, e):
        self.qemu.unplug(e.nic)
        self.imds.detach(e.mac)
        self.enis.remove(e)

    # --- teardown --------------------------------------------------------------------
    def logs(self):
        text = []
        for process in (self.vpc.processes if self.vpc else []):
            text.append(f"===== {process.name} (pid {process.pid}) =====\n{process.log_tail(60)}")
        if self.qemu:
            try:
                with open(self.qemu.console_path, errors="replace") as f:
                    text.append("===== console (tail) =====\n" + "".join(f.readlines()[-80:]))
            except FileNotFoundError:
                pass
        return "\n".join(text)

    def close(self):
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        errors = []
        for stop in ((self.qemu.stop if self.qemu else None), (self.vpc.stop if self.vpc else None)):
            if stop:
                try:
                    stop()
                except Exception as error:
                    errors.append(error)
        if not self.keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if errors:
            raise errors[0]
