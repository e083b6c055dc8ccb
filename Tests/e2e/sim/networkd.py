"""Real systemd-networkd inside the instance.

networkd normally runs under PID 1 as user systemd-network.  Here nobody
starts it but us: started as root it creates /run/systemd/netif itself and
drops to systemd-network on its own.  It logs to stderr (no journald).

The project's base config (units/80-ec2.network) goes where the package
installs it, /usr/lib/systemd/network (an overlay in the instance), with its
driver match rewritten for veths; when the file does not exist yet, an
equivalent minimal DHCP config stands in.  units/networkd-ec2net.conf goes
where the package puts it, /usr/lib/systemd/networkd.conf.d/ec2net.conf.
"""
import os

from .drivers import network_file_for_veth
from .process import wait_for_path
from .wait import wait_until

NETWORK_DIR = "/usr/lib/systemd/network"
CONF_DROPIN_DIR = "/usr/lib/systemd/networkd.conf.d"
BASE_NETWORK = "80-ec2.network"
# units/ file -> name in CONF_DROPIN_DIR (as debian/rules installs it)
CONF_DROPINS = {"networkd-ec2net.conf": "ec2net.conf"}
# Stand-in for units/80-ec2.network until that file exists.
FALLBACK_BASE_NETWORK = """\
# e2e stand-in for units/80-ec2.network
[Match]
Driver=veth

[Link]
RequiredForOnline=no

[Network]
DHCP=yes
LinkLocalAddressing=ipv6

[DHCPv4]
UseHostname=no
UseDNS=no
"""


class Networkd:
    def __init__(self, instance):
        self.instance = instance
        self.process = None

    def install_config(self, units_dir):
        """Install the base config and drop-ins; return the names installed."""
        base = os.path.join(units_dir, BASE_NETWORK)
        if os.path.exists(base):
            with open(base) as f:
                text = network_file_for_veth(f.read())
        else:
            text = FALLBACK_BASE_NETWORK
        self.instance.write_file(f"{NETWORK_DIR}/{BASE_NETWORK}", text)
        installed = [BASE_NETWORK]
        for source, name in CONF_DROPINS.items():
            path = os.path.join(units_dir, source)
            if os.path.exists(path):
                with open(path) as f:
                    self.instance.write_file(f"{CONF_DROPIN_DIR}/{name}", f.read())
                installed.append(name)
        return installed

    def start(self, debug=False):
        env = {"SYSTEMD_LOG_TARGET": "console"}
        if debug:
            env["SYSTEMD_LOG_LEVEL"] = "debug"
        self.process = self.instance.spawn("systemd-networkd", ["/lib/systemd/systemd-networkd"], env=env)
        wait_for_path(self.instance.path("/run/systemd/netif/state"), self.process)
        # Up once it answers on the bus (networkctl reload goes through it).
        wait_until(lambda: self.instance.run(["networkctl", "list", "--no-legend"], check=False).returncode == 0,
                   timeout=15, what="networkd answers on the private bus")

    def reload(self):
        self.instance.run(["networkctl", "reload"])

    def status(self, iface):
        return self.instance.run(["networkctl", "status", "--no-pager", iface], check=False).stdout

    def link_state(self, iface):
        """(operational, setup) state as networkd reports it, e.g. ("routable", "configured")."""
        for line in self.instance.run(["networkctl", "list", "--no-legend", "--no-pager"]).stdout.splitlines():
            fields = line.split()
            if len(fields) >= 5 and fields[1] == iface:
                return fields[3], fields[4]
        return None

    def wait_configured(self, iface, timeout=30):
        return wait_until(lambda: (self.link_state(iface) or (None, None))[1] == "configured",
                          timeout=timeout, what=f"networkd configured {iface}")

    def stop(self):
        if self.process:
            self.process.stop()
