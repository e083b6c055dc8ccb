"""The simulated instance: its own network, mount and UTS namespaces.

The private mount namespace is built and held by instance_root.py; every
instance process is started with `nsenter --target <holder> --net --mount
--uts`, and files inside are reached from the host through
/proc/<holder>/root, so nothing the instance writes lands on the host.
"""
import os
import sys

from .dbus import SystemBus
from .namespace import NetworkNamespace, run_command
from .networkd import Networkd
from .process import ManagedProcess, wait_for_path
from .syslog import SyslogCollector
from .udevd import Udevd

INSTANCE_ROOT_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance_root.py")


class Instance:
    def __init__(self, run_id, run_dir, netns_dir, netns_name):
        self.run_id = run_id
        self.run_dir = run_dir
        self.netns = NetworkNamespace.create(netns_name, netns_dir)
        self.root = None
        self.syslog = None
        self.processes = []
        self.bus = SystemBus(self)
        self.udevd = Udevd(self)
        self.networkd = Networkd(self)

    # --- the private file system -------------------------------------------------
    def build_root(self, libexec_ec2net, hostname):
        scratch = os.path.join(self.run_dir, "instance-scratch")
        os.makedirs(scratch, exist_ok=True)
        ready = os.path.join(self.run_dir, "instance-root.ready")
        self.syslog = SyslogCollector(os.path.join(self.run_dir, "syslog.sock"))
        self.root = self._start(ManagedProcess("instance-root", self.netns.command([
            "unshare", "--mount", "--uts", "--propagation", "private", "--",
            sys.executable, INSTANCE_ROOT_SCRIPT, "--scratch", scratch, "--ready-file", ready,
            "--libexec-ec2net", libexec_ec2net, "--syslog-socket", self.syslog.path,
            "--hostname", hostname]), self.run_dir, self.run_id))
        wait_for_path(ready, self.root)

    def path(self, path):
        """The host's path to `path` inside the instance's file system."""
        return f"/proc/{self.root.pid}/root{path}"

    def write_file(self, path, content, mode=0o644):
        host_path = self.path(path)
        os.makedirs(os.path.dirname(host_path), exist_ok=True)
        with open(host_path, "w") as f:
            f.write(content)
        os.chmod(host_path, mode)

    def read_file(self, path):
        with open(self.path(path)) as f:
            return f.read()

    def exists(self, path):
        return os.path.exists(self.path(path))

    def listdir(self, path):
        try:
            return sorted(os.listdir(self.path(path)))
        except FileNotFoundError:
            return []

    # --- processes ---------------------------------------------------------------
    def command(self, argv):
        return ["nsenter", f"--target={self.root.pid}", "--net", "--mount", "--uts", "--"] + list(argv)

    def run(self, argv, check=True, timeout=60, env=None):
        """Run a command in the instance; env adds to the harness's environment."""
        full_env = dict(os.environ, **(env or {}))
        return run_command(self.command(argv), check=check, timeout=timeout, env=full_env)

    def spawn(self, name, argv, env=None):
        """Start a daemon in the instance; it is stopped when the instance is."""
        full_env = dict(os.environ, **(env or {}))
        return self._start(ManagedProcess(name, self.command(argv), self.run_dir, self.run_id, full_env))

    def _start(self, process):
        self.processes.append(process)
        return process.start()

    def start_services(self, project_root, debug=False, files=None):
        """dbus-daemon, udevd (with the project's rules) and networkd (with its base config).

        `files` ({path: content}) is written first, after the default config.
        """
        default_config = os.path.join(project_root, "etc", "ec2net.conf")
        if os.path.exists(default_config):  # the package's conffile, all commented defaults
            with open(default_config) as f:
                self.write_file("/etc/ec2net/ec2net.conf", f.read())
        for path, content in (files or {}).items():
            self.write_file(path, content)
        self.bus.start()
        self.udevd.install_rules(os.path.join(project_root, "rules.d"))
        self.udevd.start(debug=debug)
        self.networkd.install_config(os.path.join(project_root, "units"))
        self.networkd.start(debug=debug)

    # --- kernel state ------------------------------------------------------------
    def ip_json(self, *args):
        return self.netns.ip_json(*args)

    def links(self):
        return {link["ifname"]: link for link in self.ip_json("link", "show")}

    def ifname_of(self, mac):
        """The instance's current name for the link with this MAC (udev may rename it)."""
        for name, link in self.links().items():
            if link.get("address", "").lower() == mac.lower():
                return name
        return None

    def ip_rules(self, family="-4"):
        """`ip rule` entries as dicts: priority, src, srclen, table ..."""
        return self.ip_json(family, "rule", "show")

    def routes(self, table="main", family="-4"):
        return self.ip_json(family, "route", "show", "table", str(table))

    def addrs(self, dev, family=None):
        """Addresses on dev, e.g. ["10.0.0.20/24"]."""
        args = ([family] if family else []) + ["addr", "show", "dev", dev]
        out = []
        for link in self.ip_json(*args):
            out += [f'{a["local"]}/{a["prefixlen"]}' for a in link.get("addr_info", [])]
        return out

    def ping(self, source, destination, count=1, check=True):
        """Send ICMP echo from `source` (an address: routed by the policy rules;
        None: the kernel picks the route and source, as for default traffic)."""
        family = ["-6"] if ":" in destination else []
        return self.run(["ping", *family, "-n", "-q", "-c", str(count), "-i", "0.05", "-W", "2",
                         *(["-I", source] if source else []), destination], check=check)

    # --- teardown -------------------------------------------------------------------
    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        if self.syslog:
            self.syslog.close()
        self.netns.delete()
