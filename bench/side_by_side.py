"""ec2net and amazon-ec2-net-utils 2.3.0 on the same simulated instance (issue 21).

The e2e framework's simulated instance (Tests/e2e/sim: namespaces, real
systemd-udevd and systemd-networkd, dnsmasq, the mock IMDS in the VPC
namespace, fault-free: no propagation delay) runs one product at a time, each
in a Simulation of its own with the same topology and IMDS scenario:

  - ec2net: as the e2e suite installs it (its udev rules, 80-ec2.network and
    networkd drop-in; the programs bound from the bench's bin dir);
  - upstream: Debian bookworm's amazon-ec2-net-utils 2.3.0-3, fetched with
    `apt-get download` into a cache directory and unpacked with `dpkg-deb -x`
    (never installed on the host: its udev rules and units would act on the
    host). Its 80-ec2.network goes where it hard-codes it
    (/usr/lib/systemd/network, an overlay in the instance) with the driver
    match rewritten for veths as the e2e harness does for ec2net's;
    setup-policy-routes and lib.sh go to /usr/libexec/amazon-ec2-net-utils
    (an overlay; LIBDIR_OVERRIDE, upstream's own variable, points there);
    it writes /run/systemd/network (the instance's tmpfs) as it hard-codes.

No systemd runs in the simulation, so the harness does systemd's part for
upstream: its udev rule (99-vpc-policy-routes.rules) only asks systemd to
start `policy-routes@IFACE.service` (ExecStart `setup-policy-routes IFACE
start` with EC2_IF_INITIAL_SETUP=true, then ExecStartPost `... cleanup`); the
harness watches `udevadm monitor --udev` in the instance and starts exactly
that when udev has finished the device's `add` (and `stop` on `remove`), as
the unit would. That skips systemctl's D-Bus call and the unit's own fork and
sandboxing: a few milliseconds in upstream's favour. The refresh is what
`refresh-policy-routes@IFACE.timer` starts: `setup-policy-routes IFACE start`
then `cleanup`, without EC2_IF_INITIAL_SETUP, for each of the 15 interfaces
one after another (the timers fire at random offsets, RandomizedDelaySec=5,
so they do not run together).

Times come from the kernel's own notifications: a netlink socket in the
instance's namespace (RTMGRP_LINK and RTMGRP_IPV4_RULE) is read by a thread
that stamps each message with time.monotonic(); the hot-plug figure is from
the ENI's first RTM_NEWLINK in the instance (the moment the device appears
there, with its `add` uevent) to the first RTM_NEWRULE whose source is the
ENI's address. No polling.

Everything runs in namespaces the Simulation creates and deletes; every
process started here is stopped by its PID.
"""
from __future__ import annotations

import fcntl
import glob
import os
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "Tests" / "e2e"))
sys.path.insert(0, str(REPO / "Tests" / "support"))

from sim import simulation as simulation_module  # noqa: E402
from sim.drivers import network_file_for_veth  # noqa: E402
from sim.imds import MockImds  # noqa: E402
from sim.process import RUN_ID_ENV  # noqa: E402
from sim.simulation import Simulation, missing_requirements  # noqa: E402
from sim.topology import Eni, Subnet  # noqa: E402
from sim.vpc import IMDS_IPV4  # noqa: E402
from sim.wait import wait_until  # noqa: E402

UPSTREAM_PACKAGE = "amazon-ec2-net-utils"
UPSTREAM_VERSION = "2.3.0-3"  # Debian bookworm
UPSTREAM_LABEL = f"amazon-ec2-net-utils {UPSTREAM_VERSION}"
CACHE = Path(os.environ.get("EC2NET_BENCH_CACHE", "/var/cache/ec2net-bench"))
UPSTREAM_LIBEXEC = "/usr/libexec/amazon-ec2-net-utils"
E2E_LOCK = "/tmp/ec2net-e2e.lock"  # e2e runs on this machine are serialized (one instance at a time)
REFRESH_ENIS = 15


# --------------------------------------------------------------------------
# The upstream package, unpacked, never installed.
# --------------------------------------------------------------------------

def upstream_tree() -> Path:
    """The unpacked .deb (cached): apt-get download, then dpkg-deb -x."""
    directory = CACHE / f"{UPSTREAM_PACKAGE}_{UPSTREAM_VERSION}"
    root = directory / "root"
    if (root / "usr" / "bin" / "setup-policy-routes").exists():
        return root
    directory.mkdir(parents=True, exist_ok=True)
    debs = glob.glob(str(directory / f"{UPSTREAM_PACKAGE}_*.deb"))
    if not debs:
        print(f"apt-get download {UPSTREAM_PACKAGE}={UPSTREAM_VERSION} into {directory}", flush=True)
        subprocess.run(["apt-get", "download", f"{UPSTREAM_PACKAGE}={UPSTREAM_VERSION}"], cwd=directory, check=True)
        debs = glob.glob(str(directory / f"{UPSTREAM_PACKAGE}_*.deb"))
    scratch = directory / "root.new"
    subprocess.run(["rm", "-rf", str(scratch)], check=True)
    subprocess.run(["dpkg-deb", "-x", debs[0], str(scratch)], check=True)
    scratch.rename(root)
    return root


# --------------------------------------------------------------------------
# Kernel notifications, stamped as they arrive.
# --------------------------------------------------------------------------

RTMGRP_LINK = 0x1
RTMGRP_IPV4_RULE = 0x80
RTM_NEWLINK, RTM_NEWRULE = 16, 32
IFLA_ADDRESS = 1
FRA_SRC, FRA_TABLE = 2, 15


def _attributes(data: bytes, offset: int):
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("HH", data, offset)
        if length < 4:
            return
        yield kind & 0x3FFF, data[offset + 4:offset + length]
        offset += (length + 3) & ~3


class KernelEvents:
    """rtnetlink in the instance's namespace: (monotonic time, event) for
    each new link (its MAC) and each new IPv4 rule (its source, table)."""

    def __init__(self, netns):
        self.sock = netns.socket(socket.AF_NETLINK, socket.SOCK_RAW)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((0, RTMGRP_LINK | RTMGRP_IPV4_RULE))
        self.sock.settimeout(0.2)
        self.events: list[tuple[float, str, str, int | None]] = []  # (t, "link"/"rule", mac/src, table)
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, name="kernel-events", daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except OSError:
                if not self.running:
                    return
                continue  # ENOBUFS: keep reading (a lost message shows as a missing event, not a wrong time)
            stamp = time.monotonic()
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("IH", data, offset)
                if length < 16:
                    break
                body = data[offset + 16:offset + length]
                if kind == RTM_NEWLINK and len(body) >= 16:
                    for attr, value in _attributes(body, 16):
                        if attr == IFLA_ADDRESS and len(value) == 6:
                            self._add(stamp, "link", ":".join(f"{b:02x}" for b in value), None)
                elif kind == RTM_NEWRULE and len(body) >= 12:
                    source, table = None, body[4]
                    for attr, value in _attributes(body, 12):
                        if attr == FRA_SRC and len(value) == 4:
                            source = socket.inet_ntoa(value)
                        elif attr == FRA_TABLE and len(value) == 4:
                            table = struct.unpack("I", value)[0]
                    if source:
                        self._add(stamp, "rule", source, table)
                offset += (length + 3) & ~3

    def _add(self, stamp, kind, key, table):
        with self.lock:
            self.events.append((stamp, kind, key, table))

    def first(self, kind, key, after=0.0):
        with self.lock:
            return next(((t, table) for t, k, what, table in self.events if k == kind and what == key and t >= after),
                        None)

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


# --------------------------------------------------------------------------
# The instance and its ENIs.
# --------------------------------------------------------------------------

def subnet() -> Subnet:
    return Subnet("a", "10.0.0.0/24")


def primary_eni(net: Subnet) -> Eni:
    return Eni("02:00:00:00:01:00", net, device_number=0, kernel_name="eth0", ipv4=["10.0.0.10"],
               eni_id="eni-00000000000000100")


def secondary_eni(net: Subnet, device_number: int, number: int) -> Eni:
    """ENI `number` (distinct MAC, address and kernel name per hot-plug trial)."""
    return Eni(f"02:00:00:00:02:{number:02x}", net, device_number=device_number, kernel_name=f"eth{number}",
               ipv4=[f"10.0.0.{100 + number}"], eni_id=f"eni-000000000000002{number:02x}")


def ec2net_boot(sim: Simulation, enis: list[Eni]) -> None:
    sim.boot(enis)
    for eni in enis:
        wait_link_configured(sim, eni)
    result = sim.ec2net("ec2-ifscan")
    if result.returncode != 0:
        raise RuntimeError(f"ec2-ifscan: exit {result.returncode}\n{result.stderr}")


def wait_link_configured(sim: Simulation, eni: Eni, timeout=60):
    name = wait_until(lambda: sim.instance.ifname_of(eni.mac), what=f"link {eni.mac}")
    sim.instance.networkd.wait_configured(name, timeout=timeout)
    return name


class UpstreamAsSystemd:
    """What systemd does for upstream's udev rule: on a net device's `add`
    (udev finished) start policy-routes@IFACE's ExecStart and ExecStartPost;
    on `remove`, its ExecStop and ExecStopPost. Started processes are
    tracked and stopped by PID."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.lock = threading.Lock()
        self.units: dict[str, threading.Thread] = {}
        self.processes: list[subprocess.Popen] = []
        self.failures: list[str] = []
        env = dict(os.environ, **{RUN_ID_ENV: sim.run_id})
        self.monitor = subprocess.Popen(
            sim.instance.command(["udevadm", "monitor", "--udev", "--subsystem-match=net"]),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True)
        with open(os.path.join(sim.run_dir, "pids"), "a") as pids:  # for cleanup.py after a killed run
            pids.write(f"{self.monitor.pid} udevadm-monitor\n")
        self.reader = threading.Thread(target=self._read, name="upstream-systemd", daemon=True)
        self.reader.start()
        # udevadm monitor prints its header once subscribed.
        wait_until(lambda: self._subscribed, timeout=10, what="udevadm monitor subscribed")

    _subscribed = False

    def _read(self):
        for line in self.monitor.stdout:
            if line.startswith("UDEV - the event"):
                self._subscribed = True
            fields = line.split()
            # UDEV  [1234.5678] add      /devices/virtual/net/eth2 (net)
            if len(fields) >= 4 and fields[0] == "UDEV" and fields[-1] == "(net)":
                action, iface = fields[2], fields[3].rsplit("/", 1)[-1]
                if iface == "lo":
                    continue
                if action == "add":
                    self._start(iface, [("start", True), ("cleanup", True)])
                elif action == "remove":
                    self._start(iface, [("stop", True), ("cleanup", True)])

    def _start(self, iface, steps):
        thread = threading.Thread(target=self._unit, args=(iface, steps), daemon=True)
        with self.lock:
            previous = self.units.get(iface)
            self.units[iface] = thread
        if previous:
            previous.join()  # systemd runs a unit's jobs one after another
        thread.start()

    def _unit(self, iface, steps):
        for action, initial in steps:
            code = self.run(iface, action, initial)
            if code != 0:
                self.failures.append(f"setup-policy-routes {iface} {action}: exit {code}")
                return

    def run(self, iface, action, initial_setup):
        """One `setup-policy-routes IFACE ACTION` in the instance; its exit code."""
        process = self.spawn(iface, action, initial_setup)
        return process.wait(timeout=300)

    def argv(self, iface, action, initial_setup):
        """The unit's command line, in the instance, with systemd's clean environment."""
        env = {"LIBDIR_OVERRIDE": UPSTREAM_LIBEXEC, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        if initial_setup:
            env["EC2_IF_INITIAL_SETUP"] = "true"  # policy-routes@.service's Environment=
        return self.sim.instance.command(["env", "-i", *(f"{k}={v}" for k, v in env.items()),
                                          "/bin/bash", f"{UPSTREAM_LIBEXEC}/setup-policy-routes", iface, action])

    def spawn(self, iface, action, initial_setup):
        process = subprocess.Popen(self.argv(iface, action, initial_setup), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with self.lock:
            self.processes.append(process)
        return process

    def idle(self):
        with self.lock:
            units = list(self.units.values())
        return all(not t.is_alive() for t in units)

    def close(self):
        for process in [self.monitor, *self.processes]:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
        self.reader.join(timeout=2)


def upstream_boot(sim: Simulation, enis: list[Eni], tree: Path) -> UpstreamAsSystemd:
    """Simulation.boot, with upstream's files in place of ec2net's."""
    sim.enis = list(enis)
    sim.vpc.start_dhcp()
    sim.imds = MockImds(sim.vpc, [IMDS_IPV4])
    sim.imds.start(sim.imds_scenario(sim.enis))
    for eni in sim.enis:
        sim.vpc.plug(eni, sim.instance.netns)
    instance = sim.instance
    instance.build_root(simulation_module.build_dir(), sim.hostname)
    network = (tree / "usr/lib/systemd/network/80-ec2.network").read_text()
    instance.write_file("/usr/lib/systemd/network/80-ec2.network", network_file_for_veth(network))
    for source in ("usr/bin/setup-policy-routes", "usr/share/amazon-ec2-net-utils/lib.sh"):
        instance.write_file(f"{UPSTREAM_LIBEXEC}/{os.path.basename(source)}", (tree / source).read_text(), 0o755)
    instance.bus.start()
    instance.udevd.install_rules(str(tree / "nonexistent"))  # systemd's net rules only: see UpstreamAsSystemd
    instance.udevd.start()
    instance.networkd.start()
    systemd = UpstreamAsSystemd(sim)
    instance.udevd.trigger_add()
    instance.udevd.settle()
    return systemd


@contextmanager
def e2e_lock():
    """Serialize with the e2e runs of this machine (flock /tmp/ec2net-e2e.lock)."""
    with open(E2E_LOCK, "a") as f:
        print(f"waiting for {E2E_LOCK}", flush=True)
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def product_instance(product: str, enis: list[Eni], tree: Path | None):
    """A booted Simulation with `product` configuring `enis`; its event
    reader and (upstream) systemd stand-in; all torn down after."""
    with Simulation() as sim:
        sim.add_subnet(enis[0].subnet)
        events = KernelEvents(sim.instance.netns)
        systemd = None
        try:
            if product == "ec2net":
                ec2net_boot(sim, enis)
            else:
                systemd = upstream_boot(sim, enis, tree)
            wait_until(lambda: all(events.first("rule", e.ipv4[0]) for e in enis if e.device_number),
                       timeout=180, interval=0.2, what=f"{product}: every secondary ENI's policy rule")
            if systemd:
                wait_until(systemd.idle, timeout=120, what="upstream's boot units finished")
            yield sim, events, systemd
        finally:
            if systemd:
                systemd.close()
            events.close()


# --------------------------------------------------------------------------
# The measures.
# --------------------------------------------------------------------------

def hotplug_trials(product: str, trials: int, tree: Path | None) -> list[float]:
    """Seconds from the ENI's appearance in the instance to its policy rule,
    for `trials` first-secondary ENIs (each detached before the next)."""
    net = subnet()
    results = []
    with product_instance(product, [primary_eni(net)], tree) as (sim, events, systemd):
        for trial in range(trials):
            eni = secondary_eni(net, 1, 10 + trial)
            # Fault-free IMDS: the device number is there at once.
            sim.hotplug(eni, imds_extra={"device-number-delay": 0})
            appeared = wait_until(lambda: events.first("link", eni.mac), timeout=30,
                                  what=f"{eni.mac} appears")[0]
            ruled = wait_until(lambda: events.first("rule", eni.ipv4[0], appeared), timeout=120, interval=0.05,
                               what=f"{product}: rule from {eni.ipv4[0]}")
            if ruled[1] != eni.route_table:  # both products use table 10000 + device number here
                raise RuntimeError(f"{product}: rule from {eni.ipv4[0]} looks up table {ruled[1]}, "
                                   f"not {eni.route_table}")
            results.append(ruled[0] - appeared)
            settle(sim, systemd)
            sim.detach(eni)
            settle(sim, systemd)
    return results


def settle(sim: Simulation, systemd: UpstreamAsSystemd | None):
    sim.instance.udevd.settle()
    if systemd:
        wait_until(systemd.idle, timeout=120, what="upstream's units finished")
        if systemd.failures:
            raise RuntimeError("; ".join(systemd.failures))


def _timed(argv: list[str]) -> tuple[float, float, int]:
    """(wall s, user+sys s of it and its children, exit code)."""
    started = time.monotonic()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, process.returncode


def refresh_trials(product: str, runs: int, tree: Path | None) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of a refresh of 15 ENIs, nothing changed."""
    net = subnet()
    enis = [primary_eni(net)] + [secondary_eni(net, n, n) for n in range(1, REFRESH_ENIS)]
    walls, cpus = [], []
    with product_instance(product, enis, tree) as (sim, events, systemd):
        names = [sim.instance.ifname_of(e.mac) for e in enis]
        for _ in range(runs):
            if product == "ec2net":
                argv = sim.instance.command(["env", "EC2NET_DRIVERS=veth", f"{simulation_module.LIBEXEC}/ec2-ifscan",
                                             "--refresh"])
                wall, cpu, code = _timed(argv)
                if code != 0:
                    raise RuntimeError(f"ec2-ifscan --refresh: exit {code}")
            else:
                wall = cpu = 0.0
                for name in names:  # refresh-policy-routes@NAME.service, one timer after another
                    for action in ("start", "cleanup"):
                        w, c, code = _timed(systemd.argv(name, action, initial_setup=False))
                        if code != 0:
                            raise RuntimeError(f"setup-policy-routes {name} {action}: exit {code}")
                        wall += w
                        cpu += c
            walls.append(wall)
            cpus.append(cpu)
    return walls, cpus


def available() -> str | None:
    """Why the side-by-side cannot run here, or None."""
    reason = missing_requirements()
    if reason:
        return reason
    for tool in ("bash", "curl", "logger", "md5sum", "apt-get", "dpkg-deb"):
        if not any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(":")):
            return f"needs {tool}"
    if not os.access("/lib/systemd/systemd-networkd-wait-online", os.X_OK):
        return "needs /lib/systemd/systemd-networkd-wait-online (upstream's start waits on it)"
    return None


def median(values: list[float]) -> float:
    return statistics.median(values)
