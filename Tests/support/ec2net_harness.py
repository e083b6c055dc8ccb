"""pytest helpers to run the real ec2net programs against a temporary root
and the mock IMDS (started as its own process, stopped by its PID).

Fixtures (import them into a test module or a conftest):
  temp_root        a TempRoot: an empty `/` for --root plus a fake sysfs
  fake_networkctl  a FakeNetworkctl: EC2NET_NETWORKCTL that records reloads
  mock_imds        a factory: mock_imds(scenario) -> a running MockIMDSProcess
Functions:
  run(name, *args, env=, root=, imds=)    run one program to completion
  spawn(name, *args, env=, root=, imds=)  start one (for concurrency tests)
  read_generated(root)                    {file name: text} of generated files
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from mock_imds import ControlClient

SUPPORT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SUPPORT_DIR.parent.parent
MOCK_PROGRAM = SUPPORT_DIR / "mock_imds.py"
FAKE_NETWORKCTL = SUPPORT_DIR / "fake_networkctl.py"
PROGRAM_NAMES = ("ec2-ifname", "ec2-plug", "ec2-unplug", "ec2-ifscan")
NETWORK_DIR = "run/systemd/network"

# Generous bounds that only stop a hung process; no test asserts on time.
RUN_TIMEOUT = 60.0
MOCK_START_TIMEOUT = 10.0
MOCK_STOP_TIMEOUT = 5.0


# --------------------------------------------------------------------------
# The programs under test.
# --------------------------------------------------------------------------

def build_dir() -> Path:
    directory = Path(os.environ.get("EC2NET_BUILD_DIR", ".build/debug"))
    return directory if directory.is_absolute() else REPO_ROOT / directory


def program_path(name: str) -> Path:
    """The program `name` in the build directory, linking the four names to
    `ec2net` first when they are missing or stale (a rebuild replaces the
    executable, leaving old hard links on the old inode)."""
    directory = build_dir()
    executable = directory / "ec2net"
    if not executable.is_file():
        pytest.fail(f"{executable} does not exist: build ec2net first (swift build)")
    if name == "ec2net":
        return executable
    if not _names_linked(directory):
        link_script = REPO_ROOT / "Scripts" / "link-names"
        if link_script.is_file():
            subprocess.run([sys.executable, str(link_script), str(directory)], check=True)
        else:
            _link_names(directory)
    if not _names_linked(directory):
        pytest.fail(f"{directory}: {', '.join(PROGRAM_NAMES)} are not hard links to ec2net")
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


def _command(name: str, args: tuple[str, ...], root: "TempRoot | Path | None",
             imds: "MockIMDSProcess | str | None") -> list[str]:
    # Options go before the positional IFACE the caller passes last.
    command = [str(program_path(name))]
    if root is not None:
        command += ["--root", str(root.path if isinstance(root, TempRoot) else root)]
    if imds is not None:
        command += ["--imds", imds.url if isinstance(imds, MockIMDSProcess) else imds]
    return command + list(args)


def _environment(env: dict[str, str] | None, root: "TempRoot | Path | None") -> dict[str, str]:
    """The caller's env on top of this process's, minus anything that could
    point a program at the real instance (IMDS endpoint, root, sysfs, config)."""
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("EC2NET_", "AWS_EC2_METADATA")) and k not in ("INTERFACE", "ACTION")}
    if isinstance(root, TempRoot):
        inherited["EC2NET_SYSFS"] = str(root.sysfs)
    return {**inherited, **(env or {})}


def spawn(name: str, *args: str, env: dict[str, str] | None = None,
          root: "TempRoot | Path | None" = None, imds: "MockIMDSProcess | str | None" = None) -> subprocess.Popen:
    """Start a program without waiting; the caller must wait for it (or kill it by its PID)."""
    return subprocess.Popen(_command(name, args, root, imds), env=_environment(env, root),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(name: str, *args: str, env: dict[str, str] | None = None,
        root: "TempRoot | Path | None" = None, imds: "MockIMDSProcess | str | None" = None,
        timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """Run a program to completion; its output is echoed for pytest to show on failure."""
    process = spawn(name, *args, env=env, root=root, imds=imds)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    print(f"$ {' '.join(process.args)}\n-> exit {process.returncode}\n{stdout}{stderr}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


# --------------------------------------------------------------------------
# The temporary root and what the programs write into it.
# --------------------------------------------------------------------------

@dataclass
class TempRoot:
    """`--root` for the programs, and a fake sysfs beside it (sysfs is not
    under --root, see docs/interfaces.md)."""

    path: Path
    sysfs: Path

    @property
    def network_dir(self) -> Path:
        return self.path / NETWORK_DIR

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


@pytest.fixture
def temp_root(tmp_path: Path) -> TempRoot:
    root = TempRoot(path=tmp_path / "root", sysfs=tmp_path / "sys")
    # What a booted system has: the runtime and admin networkd directories.
    (root.path / NETWORK_DIR).mkdir(parents=True)
    (root.path / "etc" / "systemd" / "network").mkdir(parents=True)
    (root.sysfs / "class" / "net").mkdir(parents=True)
    return root


# --------------------------------------------------------------------------
# networkctl stand-in.
# --------------------------------------------------------------------------

@dataclass
class FakeNetworkctl:
    program: Path
    log: Path

    @property
    def env(self) -> dict[str, str]:
        return {"EC2NET_NETWORKCTL": str(self.program), "EC2NET_FAKE_RELOAD_LOG": str(self.log)}

    def reloads(self) -> list[str]:
        """One entry per `networkctl` the programs started."""
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def fake_networkctl(tmp_path: Path) -> FakeNetworkctl:
    if not os.access(FAKE_NETWORKCTL, os.X_OK):
        pytest.fail(f"{FAKE_NETWORKCTL} must be executable (git keeps the mode)")
    return FakeNetworkctl(program=FAKE_NETWORKCTL, log=tmp_path / "reloads.log")


# --------------------------------------------------------------------------
# The mock IMDS as a process.
# --------------------------------------------------------------------------

class MockIMDSProcess(ControlClient):
    """A mock IMDS started as `mock_imds.py`; its control API is inherited."""

    def __init__(self, scenario: dict[str, Any], work_dir: Path, listen: str = "127.0.0.1:0"):
        work_dir.mkdir(parents=True, exist_ok=True)
        scenario_file = work_dir / "scenario.json"
        scenario_file.write_text(json.dumps(scenario, indent=1))
        port_file = work_dir / "port"
        self.log_file = work_dir / "requests.jsonl"
        self.process = subprocess.Popen(
            [sys.executable, str(SUPPORT_DIR / "mock_imds.py"),
             "--listen", listen, "--scenario", str(scenario_file),
             "--port-file", str(port_file), "--log-file", str(self.log_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
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
                raise RuntimeError(f"mock IMDS exited {self.process.returncode}: {self.process.stderr.read()}")
            time.sleep(0.01)
        raise RuntimeError("mock IMDS did not start listening")

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it does not go."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=MOCK_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def mock_imds(tmp_path: Path) -> Iterator[Any]:
    """mock_imds(scenario) starts a mock; every one started is stopped afterwards."""
    started: list[MockIMDSProcess] = []

    def start(scenario: dict[str, Any], listen: str = "127.0.0.1:0") -> MockIMDSProcess:
        mock = MockIMDSProcess(scenario, tmp_path / f"imds{len(started)}", listen)
        started.append(mock)
        return mock

    try:
        yield start
    finally:
        for mock in started:
            mock.stop()


@pytest.fixture
def unreachable_imds() -> Iterator[str]:
    """An IMDS URL on loopback where nothing listens. The port stays bound
    (not listening) meanwhile: connecting is refused and no one takes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{placeholder.getsockname()[1]}"


def ipv6_loopback_available() -> bool:
    """Whether [::1] can be bound here (tests of the IPv6 endpoint need it)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False
