"""One simulated EC2 instance in its VPC, built and always torn down.

    with Simulation() as sim:
        subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24"))
        primary = Eni("02:00:00:00:00:10", subnet, 0, "eth0", ["10.0.0.10"])
        sim.boot([primary])
        sim.instance.run(["ip", "addr"])

Names carry the run id `ec2net-<pid>-<n>` (namespaces `ec2net-vpc-<pid>-<n>`
and `ec2net-inst-<pid>-<n>`, run dir /tmp/ec2net-e2e/<run id>), so cleanup.py
can find what a killed run left behind.
"""
import atexit
import itertools
import os
import shutil

from .instance import Instance
from .imds import MockImds
from .process import BASE_DIR
from .vpc import IMDS_IPV4, IMDS_IPV6, Vpc

PROJECT_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
LIBEXEC = "/usr/libexec/ec2net"
PROGRAMS = ["ec2net", "ec2-ifname", "ec2-plug", "ec2-unplug", "ec2-ifscan"]
# What a simulation runs on the host (Tests/e2e/README.md, `make deps`).
REQUIRED_PROGRAMS = ["ip", "nft", "nsenter", "unshare", "dnsmasq", "dbus-daemon", "udevadm", "networkctl", "ping",
                     "/lib/systemd/systemd-networkd", "/lib/systemd/systemd-udevd"]

_run_numbers = itertools.count()

# How a hot-plugged ENI's metadata arrives on EC2 (shared/imds-reference.md,
# "Timing seen in the field": device-number reads 0 for a hot-plugged ENI
# until the attachment propagates, upstream polls it 60 x 0.1 s; AWS documents
# no order): the device first, then its MAC in IMDS, its device-number a
# second later.  No test may depend on IMDS being ahead of the device.
HOTPLUG_PROPAGATION = {"device-number-delay": 1}


def build_dir():
    """Where the ec2net binaries are (EC2NET_BUILD_DIR, default .build/debug)."""
    return os.path.abspath(os.environ.get("EC2NET_BUILD_DIR", os.path.join(PROJECT_ROOT, ".build", "debug")))


def binaries_present():
    return all(os.access(os.path.join(build_dir(), name), os.X_OK) for name in PROGRAMS)


def missing_requirements():
    """Why no simulation can run here (root, host programs), or None."""
    if os.geteuid() != 0:
        return "needs root (network and mount namespaces)"
    missing = [p for p in REQUIRED_PROGRAMS if not shutil.which(p)]
    if missing:
        return "needs these programs: " + ", ".join(missing)
    return None


class Simulation:
    def __init__(self, debug=None, keep=None, publish_network_card=False, hostname="ip-10-0-0-10",
                 imds_ipv6=False):
        number = next(_run_numbers)
        self.run_id = f"ec2net-{os.getpid()}-{number}"
        self.run_dir = os.path.join(BASE_DIR, self.run_id)
        self.debug = bool(os.environ.get("EC2NET_E2E_DEBUG")) if debug is None else debug
        self.keep = bool(os.environ.get("EC2NET_E2E_KEEP")) if keep is None else keep
        self.publish_network_card = publish_network_card
        self.hostname = hostname
        # HttpProtocolIpv6: the IPv6 IMDS endpoint, off unless enabled (EC2's default).
        self.imds_ipv6 = imds_ipv6
        self.vpc = None
        self.instance = None
        self.imds = None
        self.enis = []
        self._closed = False

    # --- building --------------------------------------------------------------------
    def __enter__(self):
        atexit.register(self.close)  # also on an interrupted run
        try:
            netns_dir = os.path.join(self.run_dir, "netns")
            os.makedirs(netns_dir)
            self.vpc = Vpc(self.run_id, self.run_dir, netns_dir, f"ec2net-vpc-{self.run_id[7:]}",
                           verbose=self.debug, imds_ipv6=self.imds_ipv6)
            self.instance = Instance(self.run_id, self.run_dir, netns_dir, f"ec2net-inst-{self.run_id[7:]}")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.close()

    def add_subnet(self, subnet):
        return self.vpc.add_subnet(subnet)

    def boot(self, enis, imds=True, run_udev_coldplug=True, files=None, imds_scenario=None):
        """Bring the instance up the way a real boot does.

        The ENIs exist before udevd starts (the kernel found them at boot); the
        coldplug (`udevadm trigger --action=add`) hands them to udev, which
        runs the project's rules; networkd then configures them with the base
        config.  The mock IMDS is up from the start, as on EC2.

        `files` ({path: content}) is written into the instance's file system
        before any service starts, after the package's default ec2net.conf
        (so it may replace it): what the AMI or an earlier boot left there,
        e.g. /etc/ec2net/ec2net.conf or the naming map /var/lib/ec2net/interfaces.
        `imds_scenario` serves that scenario (e.g. a captured tree from
        Tests/fixtures/imds) instead of one derived from the ENIs.
        """
        self.enis = list(enis)
        self.vpc.start_dhcp()
        if imds:
            listen = [IMDS_IPV4] + ([IMDS_IPV6] if self.imds_ipv6 else [])
            self.imds = MockImds(self.vpc, listen)
            self.imds.start(imds_scenario or self.imds_scenario(self.enis))
        for eni in self.enis:
            self.vpc.plug(eni, self.instance.netns)
        self.instance.build_root(build_dir(), self.hostname)
        self.instance.start_services(PROJECT_ROOT, debug=self.debug, files=files)
        if run_udev_coldplug:
            self.instance.udevd.trigger_add()
            self.instance.udevd.settle()

    def imds_scenario(self, enis):
        primary = next(e for e in enis if e.device_number == 0 and e.network_card == 0)
        return {"mac": primary.mac, "http_tokens": "required",
                "interfaces": [e.imds_interface(self.publish_network_card) for e in enis]}

    # --- events ------------------------------------------------------------------------
    def hotplug(self, eni, imds_extra=None):
        """Attach an ENI in EC2's order: the device appears (udev `add`), then
        IMDS lists it, reading device-number 0 until the attachment
        propagates (HOTPLUG_PROPAGATION; `imds_extra` overrides it)."""
        self.vpc.plug(eni, self.instance.netns)
        if self.imds:
            self.imds.attach(eni.imds_interface(self.publish_network_card, {**HOTPLUG_PROPAGATION, **(imds_extra or {})}))
        self.enis.append(eni)

    def detach(self, eni):
        self.vpc.unplug(eni)
        if self.imds:
            self.imds.detach(eni.mac)
        self.enis.remove(eni)

    def ec2net(self, program, *args, check=False, env=None):
        """Run one of the installed programs in the instance, e.g. ec2net("ec2-ifscan")."""
        # veth stands in for ENA here: tell the scan which driver the ENIs have.
        env = {"EC2NET_DRIVERS": "veth", **(env or {})}
        return self.instance.run([f"{LIBEXEC}/{program}", *args], check=check, env=env)

    # --- teardown ----------------------------------------------------------------------
    def logs(self):
        """Every daemon's log, for a failing test's report."""
        text = []
        for owner in (self.instance, self.vpc):
            for process in (owner.processes if owner else []):
                text.append(f"===== {process.name} (pid {process.pid}) =====\n{process.log_tail(200)}")
        if self.instance and self.instance.syslog:
            text.append("===== syslog =====\n" + "\n".join(self.instance.syslog.lines()))
        return "\n".join(text)

    def close(self):
        """Stop every process by PID, delete both namespaces (and with them every veth)."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        errors = []
        for part in (self.instance, self.vpc):
            if part is not None:
                try:
                    part.stop()
                except Exception as error:  # keep tearing down the rest
                    errors.append(error)
        if not self.keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if errors:
            raise errors[0]
