"""Real systemd-udevd inside the instance, with the project's rules.

The rules match the EC2 drivers; the test copy matches veths (drivers.py).

udevd reads rules only from the private, emptied /usr/lib/udev/rules.d: the
project's rules plus systemd's network rules, nothing else.  The udevd in the
instance's namespace also receives the host's non-network uevents (those are
broadcast to every network namespace); with no rules for them and a private
/dev, handling them is a no-op.
"""
import glob
import os

from .drivers import udev_rules_for_veth
from .process import wait_for_path

RULES_DIR = "/usr/lib/udev/rules.d"
HOST_RULES_DIR = "/usr/lib/udev/rules.d"
# systemd's rules a network device goes through on a real instance.
SYSTEMD_NET_RULES = ["73-special-net-names.rules", "75-net-description.rules", "80-net-setup-link.rules"]


class Udevd:
    def __init__(self, instance):
        self.instance = instance
        self.process = None

    def install_rules(self, project_rules_dir):
        installed = []
        for name in SYSTEMD_NET_RULES:
            with open(os.path.join(HOST_RULES_DIR, name)) as f:
                self.instance.write_file(f"{RULES_DIR}/{name}", f.read())
        for path in sorted(glob.glob(os.path.join(project_rules_dir, "*.rules"))):
            with open(path) as f:
                name = os.path.basename(path)
                self.instance.write_file(f"{RULES_DIR}/{name}", udev_rules_for_veth(f.read()))
                installed.append(name)
        return installed

    def start(self, debug=False):
        argv = ["/lib/systemd/systemd-udevd", "--resolve-names=never"]
        if debug:
            argv.append("--debug")
        self.process = self.instance.spawn("systemd-udevd", argv, env={"SYSTEMD_LOG_TARGET": "console"})
        wait_for_path(self.instance.path("/run/udev/control"), self.process)

    def settle(self, timeout=30):
        self.instance.run(["udevadm", "settle", f"--timeout={timeout}"], timeout=timeout + 5)

    def trigger_add(self, *devices):
        """Replay `add` for the instance's network devices (a coldplug).

        Limited to the net subsystem: it writes to the private sysfs, and a
        network device's uevent only reaches its own namespace.
        """
        argv = ["udevadm", "trigger", "--action=add", "--subsystem-match=net"]
        argv += [f"/sys/class/net/{d}" for d in devices]
        self.instance.run(argv)

    def device_properties(self, iface):
        out = self.instance.run(["udevadm", "info", "--query=property", f"/sys/class/net/{iface}"]).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def stop(self):
        if self.process:
            self.process.stop()
