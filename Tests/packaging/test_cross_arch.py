"""The cross-architecture differential (issue 24): the same inputs give
byte-identical trees and logs from this machine's release build and from
the other architecture's (aarch64 on x86_64) run under qemu-user.

Inputs, each run in a fresh temporary root against its own mock IMDS:

  - every IMDS tree captured on real instances (Tests/fixtures/imds, each
    file names its source): one boot scan (ec2-ifscan);
  - a hot-plug sequence on an instance of rich ENIs (the README example:
    3 IPv4s, 2 IPv6s, both kinds of prefix; Tests/support/ec2net_harness.py
    rich_eni): ec2-ifname in device-index mode, ec2-plug of four ENIs,
    ec2-unplug of one, a refresh scan, a plug with IMDS unreachable
    (nothing listens on the port: the kernel refuses the connection).

Compared: exit code, stdout, stderr (-v: the log), every file below
run/systemd/network and var/lib/ec2net (bytes), and the reloads asked for;
the temporary root's path and the mock's URL are the only text replaced,
since they differ between the two runs.

    EC2NET_BUILD_DIR=.build/embedded-musl \\
    EC2NET_CROSS_BUILD_DIR=.build/embedded-musl-aarch64 EC2NET_CROSS_RUNNER=qemu-aarch64-static \\
        python3 -m pytest -q -s Tests/packaging/test_cross_arch.py

Skipped when the cross build is absent and EC2NET_CROSS_BUILD_DIR is not
set (set, a missing build fails).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ec2net_harness import (
    REPO_ROOT,
    RUN_TIMEOUT,
    FakeNetworkctl,
    MockIMDSProcess,
    TempRoot,
    environment,
    iface_of,
    program_path,
    rich_eni,
    scenario,
)

TREES = REPO_ROOT / "Tests" / "fixtures" / "imds"
ENIS = 4


def build(variable: str, default: str) -> Path:
    directory = Path(os.environ.get(variable, default))
    return directory if directory.is_absolute() else REPO_ROOT / directory


NATIVE_DIR = build("EC2NET_BUILD_DIR", ".build/embedded-musl")
CROSS_DIR = build("EC2NET_CROSS_BUILD_DIR", ".build/embedded-musl-aarch64")
CROSS_RUNNER = shlex.split(os.environ.get("EC2NET_CROSS_RUNNER", "qemu-aarch64-static"))


class Session:
    """One architecture's programs (under a runner or not) run on inputs,
    each run's outcome recorded with the work directory and mock URL
    replaced by placeholders."""

    def __init__(self, directory: Path, runner: list[str], work: Path):
        self.directory, self.runner, self.work = directory, runner, work
        self.transcript: list[dict[str, Any]] = []

    def run(self, label: str, root: TempRoot, imds_url: str, networkctl: FakeNetworkctl,
            name: str, *args: str) -> int:
        argv = [*self.runner, str(program_path(name, self.directory)),
                "--root", str(root.path), "--imds", imds_url, "-v", "--no-altnames", *args]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                                env=environment(networkctl.env, root))

        def neutral(text: str) -> str:
            endpoint = imds_url.split("://", 1)[1]
            return text.replace(imds_url, "<imds>").replace(endpoint, "<imds>").replace(str(self.work), "<work>")

        self.transcript.append({
            "run": f"{label}: {name} {' '.join(args)}".strip(),
            "exit": result.returncode,
            "stdout": neutral(result.stdout),
            "stderr": neutral(result.stderr),
            "files": files_below(root),
            "reloads": len(networkctl.reloads()),
        })
        return result.returncode


def files_below(root: TempRoot) -> dict[str, bytes]:
    """Every file ec2net writes (locks excluded: empty, and not output)."""
    found = {}
    for top in (root.network_dir, root.state_dir):
        if top.is_dir():
            for path in sorted(top.rglob("*")):
                if path.is_file() and not path.name.endswith(".lock"):
                    found[str(path.relative_to(root.path))] = path.read_bytes()
    return found


def fresh(work: Path, name: str) -> tuple[TempRoot, FakeNetworkctl]:
    directory = work / name
    directory.mkdir()
    return TempRoot.make(directory), FakeNetworkctl.in_dir(directory)


def captured_tree_scans(session: Session) -> None:
    for tree in sorted(TREES.glob("*.json")):
        data = json.loads(tree.read_text())
        assert "_source" in data, f"{tree.name} must name where it was captured"
        root, networkctl = fresh(session.work, tree.stem)
        for eni in data["interfaces"]:
            root.add_link(f"ens{5 + 100 * int(eni.get('network-card', 0)) + int(eni['device-number'])}",
                          eni["mac"], driver="ena")
        mock = MockIMDSProcess(data, session.work / f"{tree.stem}-imds")
        try:
            session.run(tree.name, root, mock.url, networkctl, "ec2-ifscan")
        finally:
            mock.stop()


def hotplug_sequence(session: Session) -> None:
    root, networkctl = fresh(session.work, "hotplug")
    config = root.path / "etc" / "ec2net" / "ec2net.conf"
    config.parent.mkdir(parents=True)
    config.write_text("[Naming]\nMode=device-index\n")
    mock = MockIMDSProcess(scenario([rich_eni(i) for i in range(ENIS)]), session.work / "hotplug-imds")
    try:
        for index in range(ENIS):
            root.add_device(index)
            session.run("hot-plug", root, mock.url, networkctl, "ec2-ifname", iface_of(index))
            session.run("hot-plug", root, mock.url, networkctl, "ec2-plug", iface_of(index))
        root.remove_device(1)
        session.run("detach", root, mock.url, networkctl, "ec2-unplug", iface_of(1))
        session.run("timer", root, mock.url, networkctl, "ec2-ifscan", "--refresh")
    finally:
        mock.stop()
    with socket.socket() as placeholder:   # bound, not listening: connection refused
        placeholder.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
        root.add_device(ENIS)
        session.run("IMDS unreachable", root, unreachable, networkctl, "ec2-plug", iface_of(ENIS))


def transcript(directory: Path, runner: list[str], work: Path) -> list[dict[str, Any]]:
    work.mkdir()
    session = Session(directory, runner, work)
    captured_tree_scans(session)
    hotplug_sequence(session)
    return session.transcript


@pytest.fixture(scope="module")
def cross_dir() -> Path:
    if not (CROSS_DIR / "ec2net").is_file():
        message = f"{CROSS_DIR}/ec2net does not exist: make release ARCH=aarch64 first"
        if "EC2NET_CROSS_BUILD_DIR" in os.environ:
            pytest.fail(message)
        pytest.skip(message)
    if not (NATIVE_DIR / "ec2net").is_file():
        pytest.fail(f"{NATIVE_DIR}/ec2net does not exist: make release first")
    return CROSS_DIR


def architecture(path: Path) -> str:
    return subprocess.run(["file", "-b", str(path)], capture_output=True, text=True).stdout.split(",")[1].strip()


def test_both_architectures_write_the_same_bytes_and_log_the_same_lines(cross_dir, tmp_path) -> None:
    native_arch, cross_arch = architecture(NATIVE_DIR / "ec2net"), architecture(cross_dir / "ec2net")
    assert native_arch != cross_arch, f"both builds are {native_arch}: nothing to compare"
    native = transcript(NATIVE_DIR, [], tmp_path / "n")
    cross = transcript(cross_dir, CROSS_RUNNER, tmp_path / "c")
    assert [r["run"] for r in native] == [r["run"] for r in cross]
    for a, b in zip(native, cross):
        differing = {key: (a[key], b[key]) for key in a if a[key] != b[key]}
        assert not differing, f"{a['run']}: {native_arch} != {cross_arch}: {differing}"
    compared = sum(len(r["stdout"]) + len(r["stderr"]) + sum(len(f) for f in r["files"].values())
                   for r in native)
    files = len({(r["run"].split(":")[0], f) for r in native for f in r["files"]})
    print(f"\n{native_arch} vs {cross_arch} ({' '.join(CROSS_RUNNER)}): {len(native)} runs identical "
          f"(exit codes {sorted({r['exit'] for r in native})}), {files} distinct files, "
          f"{compared} bytes of output and files compared")


# README "How aarch64 is targeted": the Embedded stdlib exists here only for
# the bare-metal triple; the C declarations Swift imports through
# Sources/CLinux/shim.h (with musl's and the kernel's headers, as embedded.mk
# compiles them) must be the very ones Linux's triple sees: the preprocessed
# header is compared token for token. (`clang -dM -E` of the two triples
# differs in __linux__, __unix__, __PIC__, __WINT_TYPE__, ...; none of it
# reaches these headers.)
BARE_METAL, LINUX = "aarch64-none-none-elf", "aarch64-unknown-linux-musl"


def test_bare_metal_triple_imports_the_same_c_declarations_as_linux(cross_dir) -> None:
    swiftc = shutil.which("swiftc")
    if swiftc is None:
        pytest.skip("swiftc not on PATH")
    clang = Path(swiftc).parent / "clang"
    musl = subprocess.run(["aarch64-linux-musl-gcc", "-xc", "-M", "-"], input="#include <stdio.h>\n",
                          capture_output=True, text=True, check=True).stdout
    musl_include = Path(next(w for w in musl.split() if w.endswith("/stdio.h"))).parent

    def preprocessed(triple: str) -> str:
        return subprocess.run([str(clang), "-target", triple, "-nostdinc",
                               "-isystem", str(Path(swiftc).parent.parent / "lib" / "swift" / "clang" / "include"),
                               "-isystem", str(musl_include), "-isystem", str(cross_dir / "uapi"),
                               "-E", "-P", "-x", "c", str(REPO_ROOT / "Sources" / "CLinux" / "shim.h")],
                              capture_output=True, text=True, check=True).stdout

    bare, linux = preprocessed(BARE_METAL), preprocessed(LINUX)
    print(f"\nshim.h preprocessed: {len(bare)} bytes for {BARE_METAL}, {len(linux)} for {LINUX}")
    assert bare == linux, f"{BARE_METAL} and {LINUX} see different C declarations"
