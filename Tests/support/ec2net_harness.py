"""The one harness that runs the real ec2net programs against a temporary
root, a fake sysfs and the mock IMDS (started as its own process, stopped
by its PID). Used by the pytest suites (Tests/support, Tests/integration;
their fixtures are in Tests/conftest.py) and by bench/run.py, so it imports
nothing of pytest.

  TempRoot.make(dir)      an empty `/` for --root plus a fake sysfs beside it;
                          add_link/remove_link (by name) or add_device/
                          remove_device (ENI index) as the kernel shows them
  Instance                a root + mock IMDS + fake networkctl: plug, scan,
                          unplug by ENI index, and what they left (state)
  MockIMDSProcess         Tests/support/mock_imds.py as a process on loopback
  FakeNetworkctl          EC2NET_NETWORKCTL that records reloads
  run / spawn / command   one program, to completion / started / its argv
                          (under EC2NET_RUNNER when set: qemu-user);
                          reaping(processes) kills what still runs on leaving
  read_generated, snapshot, sections_named   what the programs wrote
  eni, rich_eni, efa_only_eni, scenario      ENIs and instances for the mock

ENI `index` is eth<index> with MAC mac_of(index) and device-number index.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from mock_imds import ControlClient

SUPPORT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SUPPORT_DIR.parent.parent
MOCK_PROGRAM = SUPPORT_DIR / "mock_imds.py"
FAKE_NETWORKCTL = SUPPORT_DIR / "fake_networkctl.py"
PROGRAM_NAMES = ("ec2-ifname", "ec2-plug", "ec2-unplug", "ec2-ifscan")
NETWORK_DIR = "run/systemd/network"
STATE_DIR = "var/lib/ec2net"

# Generous bounds that only stop a hung process; no test asserts on time.
RUN_TIMEOUT = 60.0
MOCK_START_TIMEOUT = 10.0
MOCK_STOP_TIMEOUT = 5.0

# sysexits, as in README.md "Exit codes".
EX_OK, EX_DATAERR, EX_UNAVAILABLE, EX_CANTCREAT = 0, 65, 69, 73
EX_TEMPFAIL, EX_PROTOCOL, EX_NOPERM, EX_CONFIG = 75, 76, 77, 78


class HarnessError(RuntimeError):
    """The harness cannot run what was asked (no build, mock did not start)."""


# --------------------------------------------------------------------------
# The programs under test.
# --------------------------------------------------------------------------

def build_dir() -> Path:
    directory = Path(os.environ.get("EC2NET_BUILD_DIR", ".build/debug"))
    return directory if directory.is_absolute() else REPO_ROOT / directory


def program_path(name: str, directory: Path | None = None) -> Path:
    """The program `name` in the build directory (EC2NET_BUILD_DIR unless
    given), linking the four names to `ec2net` first when they are missing
    or stale (a rebuild replaces the executable, leaving old hard links on
    the old inode)."""
    directory = directory or build_dir()
    executable = directory / "ec2net"
    if not executable.is_file():
        raise HarnessError(f"{executable} does not exist: build ec2net first (swift build)")
    if name == "ec2net":
        return executable
    if not _names_linked(directory):
        link_script = REPO_ROOT / "Scripts" / "link-names"
        if link_script.is_file():
            subprocess.run([sys.executable, str(link_script), str(directory)], check=True)
        else:
            _link_names(directory)
    if not _names_linked(directory):
        raise HarnessError(f"{directory}: {', '.join(PROGRAM_NAMES)} are not hard links to ec2net")
    return directory / name


def _names_linked(directory: Path) -> bool:
    inode = (directory / "ec2net").stat().st_ino
    return all((directory / n).exists() and (directory / n).stat().st_ino == inode for n in PROGRAM_NAMES)


def _link_names(directory: Path) -> None:
    for name in PROGRAM_NAMES:
        link = directory / name
        if link.exists() or link.is_symlink():
            link.unlink()
        os.link(directory / "ec2net", link)


def runner() -> list[str]:
    """EC2NET_RUNNER: a prefix the programs run under, e.g.
    `qemu-aarch64-static` for the aarch64 build on an x86_64 machine without
    binfmt_misc (issue 24); qemu-user hands the guest the program's path as
    argv[0], so the four names dispatch as when run directly."""
    return shlex.split(os.environ.get("EC2NET_RUNNER", ""))


def command(name: str, *args: str, root: "TempRoot | Path | None" = None,
            imds: "ControlClient | str | None" = None, directory: Path | None = None) -> list[str]:
    """argv of a program: --root and --imds first, then args (the caller
    passes the positional IFACE last)."""
    argv = [*runner(), str(program_path(name, directory))]
    if root is not None:
        argv += ["--root", str(root.path if isinstance(root, TempRoot) else root)]
    if imds is not None:
        argv += ["--imds", imds if isinstance(imds, str) else imds.url]
    return argv + list(args)


def environment(env: dict[str, str] | None = None, root: "TempRoot | Path | None" = None) -> dict[str, str]:
    """The caller's env on top of this process's, minus anything that could
    point a program at the real instance (IMDS endpoint, root, sysfs, config);
    a TempRoot's fake sysfs as EC2NET_SYSFS."""
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("EC2NET_", "AWS_EC2_METADATA")) and k not in ("INTERFACE", "ACTION")}
    if isinstance(root, TempRoot):
        inherited["EC2NET_SYSFS"] = str(root.sysfs)
    return {**inherited, **(env or {})}


def spawn(name: str, *args: str, env: dict[str, str] | None = None,
          root: "TempRoot | Path | None" = None, imds: "ControlClient | str | None" = None) -> subprocess.Popen:
    """Start a program without waiting; the caller must wait for it (or kill it by its PID)."""
    return subprocess.Popen(command(name, *args, root=root, imds=imds), env=environment(env, root),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextlib.contextmanager
def reaping(processes: list[subprocess.Popen]) -> Iterator[list[subprocess.Popen]]:
    """On leaving the block, every process of the list (also those appended
    inside it) that still runs is killed by its PID and waited for."""
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()


def echo(process: subprocess.Popen, stdout: str, stderr: str) -> None:
    """A finished program's command line, exit code and output, for pytest
    to show on failure."""
    print(f"$ {' '.join(process.args)}\n-> exit {process.returncode}\n{stdout}{stderr}")


def run(name: str, *args: str, env: dict[str, str] | None = None,
        root: "TempRoot | Path | None" = None, imds: "ControlClient | str | None" = None,
        timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """Run a program to completion; its output is echoed for pytest to show on failure."""
    with reaping([spawn(name, *args, env=env, root=root, imds=imds)]) as (process,):
        stdout, stderr = process.communicate(timeout=timeout)
    echo(process, stdout, stderr)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def problem_lines(result) -> list[str]:
    """The error and warning lines a run printed (errors always reach stderr)."""
    return [line for line in result.stderr.splitlines()
            if line.startswith(("ec2net error", "ec2net warning"))]


def log_lines(result, *needles: str) -> list[str]:
    """stderr lines (with -v, the log) containing every needle (case-insensitive)."""
    return [line for line in result.stderr.splitlines()
            if all(n.lower() in line.lower() for n in needles)]


# --------------------------------------------------------------------------
# ENIs and instances, as the mock IMDS serves them.
# --------------------------------------------------------------------------

def mac_of(index: int) -> str:
    return f"02:00:00:00:{index >> 8:02x}:{(index & 0xff) + 1:02x}"


def iface_of(index: int) -> str:
    return f"eth{index}"


def file_of(index: int) -> str:
    return f"05-ec2net-eth{index}.network"


def header(mac: str) -> str:
    """The first line of every file ec2net generates."""
    return f"# Generated by ec2net for MAC {mac}; do not edit"


def eni(index: int, ipv4s: int = 2, **extra: Any) -> dict[str, Any]:
    """ENI `index`: device-number = index (the primary is 0), its own /24."""
    third = index % 250
    spec: dict[str, Any] = {
        "mac": mac_of(index), "device-number": index, "interface-id": f"eni-{index + 0xabc0:017x}",
        "local-ipv4s": [f"10.{1 + index // 250}.{third}.{10 + k}" for k in range(ipv4s)],
        "subnet-ipv4-cidr-block": f"10.{1 + index // 250}.{third}.0/24",
        "vpc-ipv4-cidr-block": "10.0.0.0/8",
    }
    spec.update(extra)
    return spec


def rich_eni(index: int) -> dict[str, Any]:
    """3 IPv4s, 2 IPv6s and both kinds of delegated prefix (the README example)."""
    return eni(index, ipv4s=3, **{
        "ipv6s": [f"2001:db8:0:{index:x}::10", f"2001:db8:0:{index:x}::11"],
        "subnet-ipv6-cidr-blocks": [f"2001:db8:0:{index:x}::/64"],
        "ipv4-prefix": [f"10.200.{index}.16/28"],
        "ipv6-prefix": [f"2001:db8:0:{index:x}:1::/80"],
    })


def efa_only_eni(index: int) -> dict[str, Any]:
    """An EFA-only ENI: no local-ipv4s and no ipv6s in IMDS at all."""
    spec = eni(index)
    spec["local-ipv4s"] = None
    spec["subnet-ipv4-cidr-block"] = None
    return spec


def scenario(enis: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """An instance with these ENIs, the first one's MAC primary. A
    single-card instance type: no ENI publishes network-card."""
    return {"mac": mac_of(0), "instance-id": "i-0123456789abcdef0", "http_tokens": "required",
            "interfaces": enis, **extra}


# --------------------------------------------------------------------------
# The temporary root and what the programs write into it.
# --------------------------------------------------------------------------

@dataclass
class TempRoot:
    """`--root` for the programs, and a fake sysfs beside it (sysfs is not
    under --root, see docs/interfaces.md)."""

    path: Path
    sysfs: Path

    @classmethod
    def make(cls, directory: Path) -> "TempRoot":
        """<directory>/root and <directory>/sys with what a booted system
        has: the runtime and admin networkd directories, /sys/class/net."""
        root = cls(path=directory / "root", sysfs=directory / "sys")
        (root.path / NETWORK_DIR).mkdir(parents=True)
        (root.path / "etc" / "systemd" / "network").mkdir(parents=True)
        (root.sysfs / "class" / "net").mkdir(parents=True)
        return root

    @property
    def network_dir(self) -> Path:
        return self.path / NETWORK_DIR

    @property
    def state_dir(self) -> Path:
        return self.path / STATE_DIR

    def add_link(self, interface: str, mac: str, driver: str | None = "ena") -> None:
        """Make sysfs show an interface, as the kernel does before udev's add.
        With a driver, `device/driver` is a symlink whose target's basename
        is the driver (as `/sys/class/net/X/device/driver -> .../drivers/ena`),
        which is how ec2-ifscan tells ENIs from virtual devices; driver=None
        makes a virtual device (no `device` at all)."""
        link = self.sysfs / "class" / "net" / interface
        link.mkdir(parents=True, exist_ok=True)
        (link / "address").write_text(mac + "\n")
        if driver is not None:
            drivers = self.sysfs / "bus" / "pci" / "drivers" / driver
            drivers.mkdir(parents=True, exist_ok=True)
            device = link / "device"
            device.mkdir(exist_ok=True)
            target = device / "driver"
            if target.is_symlink():
                target.unlink()
            target.symlink_to(drivers)

    def remove_link(self, interface: str) -> None:
        """Make sysfs forget an interface, as it has by udev's remove."""
        link = self.sysfs / "class" / "net" / interface
        if link.exists() or link.is_symlink():
            shutil.rmtree(link)

    def add_device(self, index: int, driver: str | None = "ena", mac: str | None = None) -> None:
        """ENI `index` as eth<index> (its MAC mac_of(index) unless given)."""
        self.add_link(iface_of(index), mac or mac_of(index), driver=driver)

    def remove_device(self, index: int) -> None:
        self.remove_link(iface_of(index))

    def generated(self) -> dict[str, str]:
        return read_generated(self)

    def state(self) -> dict[str, Any]:
        """Everything ec2net configures, down to mtimes and inodes (locks excluded):
        equal states mean nothing was written, not even the same bytes."""
        return {"network": snapshot(self.network_dir), "state": snapshot(self.state_dir)}

    def network_bytes(self) -> dict[str, bytes]:
        return {name: data for name, (data, _, _) in snapshot(self.network_dir).items()}

    def temporaries(self) -> list[str]:
        """Temporary files a writer leaves only when it is killed half-way."""
        directory = self.network_dir
        return sorted(p.name for p in directory.iterdir() if ".tmp." in p.name) if directory.is_dir() else []

    def clear_network(self) -> None:
        """Remove every file of <root>/run/systemd/network (a boot from scratch)."""
        for path in self.network_dir.iterdir():
            path.unlink()


def read_generated(root: TempRoot | Path) -> dict[str, str]:
    """{file name: text} of every file in <root>/run/systemd/network/."""
    directory = (root.path if isinstance(root, TempRoot) else root) / NETWORK_DIR
    if not directory.is_dir():
        return {}
    return {p.name: p.read_text() for p in sorted(directory.iterdir()) if p.is_file()}


def snapshot(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    """{relative path: (bytes, mtime_ns, inode)} of every file below directory:
    equal snapshots mean nothing was written, not even the same bytes."""
    if not directory.is_dir():
        return {}
    result = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            info = path.stat()
            result[str(path.relative_to(directory))] = (path.read_bytes(), info.st_mtime_ns, info.st_ino)
    return result


def parse_network_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A systemd .network file as [(section, [(key, value)])], sections in
    order and repeated as often as they appear."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1], []))
        elif sections and "=" in line:
            key, _, value = line.partition("=")
            sections[-1][1].append((key.strip(), value.strip()))
    return sections


def sections_named(text: str, name: str) -> list[dict[str, str]]:
    """Every [name] section of a .network file, as a dict (last key wins)."""
    return [dict(entries) for section, entries in parse_network_file(text) if section == name]


# --------------------------------------------------------------------------
# networkctl stand-in.
# --------------------------------------------------------------------------

@dataclass
class FakeNetworkctl:
    program: Path
    log: Path

    @classmethod
    def in_dir(cls, directory: Path) -> "FakeNetworkctl":
        """fake_networkctl.py logging to <directory>/reloads.log."""
        if not os.access(FAKE_NETWORKCTL, os.X_OK):
            raise HarnessError(f"{FAKE_NETWORKCTL} must be executable (git keeps the mode)")
        return cls(program=FAKE_NETWORKCTL, log=directory / "reloads.log")

    @property
    def env(self) -> dict[str, str]:
        return {"EC2NET_NETWORKCTL": str(self.program), "EC2NET_FAKE_RELOAD_LOG": str(self.log)}

    def reloads(self) -> list[str]:
        """One entry per `networkctl` the programs started (failed ones too)."""
        return self.log.read_text().splitlines() if self.log.exists() else []

    def succeeded(self) -> list[str]:
        """The reloads that succeeded."""
        return [line for line in self.reloads() if not line.startswith("failed ")]

    def fail(self, failing: bool = True) -> None:
        """Make every `networkctl reload` fail (exit 1) until called with False."""
        marker = Path(str(self.log) + ".fail")
        if failing:
            marker.write_text("")
        else:
            marker.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# The mock IMDS as a process.
# --------------------------------------------------------------------------

class MockIMDSProcess(ControlClient):
    """A mock IMDS started as `mock_imds.py`; its control API is inherited.
    request_log=False leaves out the per-request log file (the benchmarks)."""

    def __init__(self, scenario: dict[str, Any], work_dir: Path, listen: str = "127.0.0.1:0",
                 request_log: bool = True):
        work_dir.mkdir(parents=True, exist_ok=True)
        scenario_file = work_dir / "scenario.json"
        scenario_file.write_text(json.dumps(scenario, indent=1))
        port_file = work_dir / "port"
        self.log_file = work_dir / "requests.jsonl" if request_log else None
        self.stderr_file = work_dir / "stderr"
        argv = [sys.executable, str(MOCK_PROGRAM), "--listen", listen, "--scenario", str(scenario_file),
                "--port-file", str(port_file)]
        if self.log_file is not None:
            argv += ["--log-file", str(self.log_file)]
        # stderr to a file: a pipe nobody reads could fill up and stall the mock.
        with open(self.stderr_file, "w") as stderr:
            self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            port = self._wait_for_port(port_file)
        except BaseException:
            self.stop()
            raise
        host = listen.rpartition(":")[0]
        self.url = f"http://{host}:{port}"
        super().__init__(self.url)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_for_port(self, port_file: Path) -> int:
        deadline = time.monotonic() + MOCK_START_TIMEOUT
        while time.monotonic() < deadline:
            if port_file.exists():  # written atomically once the socket listens
                return int(port_file.read_text())
            if self.process.poll() is not None:
                raise HarnessError(f"mock IMDS exited {self.process.returncode}: {self.stderr_file.read_text()}")
            time.sleep(0.01)
        raise HarnessError("mock IMDS did not start listening")

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it does not go."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=MOCK_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def ipv6_loopback_available() -> bool:
    """Whether [::1] can be bound here (tests of the IPv6 endpoint need it)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------
# An instance: root + mock IMDS + networkctl, programs run by ENI index.
# --------------------------------------------------------------------------

@dataclass
class Instance:
    """The instance as the programs see it: a root with a fake sysfs, the
    mock IMDS, and a networkctl that counts reloads. Every program runs
    with -v (the log on stderr) and --no-altnames."""

    root: TempRoot
    imds: MockIMDSProcess
    networkctl: FakeNetworkctl
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {**self.networkctl.env, **self.extra_env}

    # -- devices ------------------------------------------------------------------

    def add_device(self, index: int, driver: str | None = "ena", mac: str | None = None) -> None:
        self.root.add_device(index, driver=driver, mac=mac)

    def add_devices(self, indices) -> None:
        for index in indices:
            self.root.add_device(index)

    def remove_device(self, index: int) -> None:
        self.root.remove_device(index)

    # -- configuration ------------------------------------------------------------

    @property
    def config_file(self) -> Path:
        return self.root.path / "etc" / "ec2net" / "ec2net.conf"

    def configure(self, text: str) -> None:
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(text)

    # -- programs -----------------------------------------------------------------

    def _argv(self, *args: str) -> tuple[str, ...]:
        return ("-v", "--no-altnames", *args)

    def run(self, name: str, *args: str, imds: str | None = None, timeout: float = RUN_TIMEOUT):
        return run(name, *self._argv(*args), env=self.env, root=self.root, imds=imds or self.imds, timeout=timeout)

    def start(self, name: str, *args: str):
        return spawn(name, *self._argv(*args), env=self.env, root=self.root, imds=self.imds)

    def plug(self, index: int, *extra: str, imds: str | None = None, timeout: float = RUN_TIMEOUT):
        return self.run("ec2-plug", *extra, iface_of(index), imds=imds, timeout=timeout)

    def start_plug(self, index: int, *extra: str):
        return self.start("ec2-plug", *extra, iface_of(index))

    def scan(self, *extra: str, imds: str | None = None, timeout: float = RUN_TIMEOUT):
        return self.run("ec2-ifscan", *extra, imds=imds, timeout=timeout)

    def start_scan(self, *extra: str):
        return self.start("ec2-ifscan", *extra)

    def unplug(self, index: int, *extra: str):
        return self.run("ec2-unplug", *extra, iface_of(index))

    # -- what the programs left ---------------------------------------------------

    def generated(self) -> dict[str, str]:
        return self.root.generated()

    def state(self) -> dict[str, Any]:
        return self.root.state()

    def network_bytes(self) -> dict[str, bytes]:
        return self.root.network_bytes()

    def temporaries(self) -> list[str]:
        return self.root.temporaries()

    def reloads(self) -> list[str]:
        return self.networkctl.reloads()


def reference_files(imds: MockIMDSProcess, directory: Path, indices, config: str | None = None) -> dict[str, bytes]:
    """What one serial ec2-plug per ENI writes into a fresh root for the
    metadata IMDS serves now: the rendering a converged tree must equal."""
    reference = Instance(TempRoot.make(directory), imds, FakeNetworkctl.in_dir(directory))
    if config is not None:
        reference.configure(config)
    for index in indices:
        reference.add_device(index)
        result = reference.plug(index)
        assert result.returncode == EX_OK, result.stderr
    return reference.network_bytes()
