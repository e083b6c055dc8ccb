"""The fault matrix (issue 8): ec2-plug and ec2-ifscan --refresh, the real
programs, against a temporary root and the mock IMDS misbehaving in every
documented way. Each case starts from a configured instance whose metadata
has since changed (so a run that ignored the fault would write), snapshots
the generated tree (bytes, mtimes, inodes) before and after, and checks the
exit code (README "Exit codes"), one clear log line on stderr (-v), no
reload, no leftover temporary file.

Exit codes the matrix pins down (documented here for the cases the README
leaves open):
  IMDS down (closed port), slower than [IMDS] Timeout=, 500s beyond the
  retries, a truncated body (Content-Length longer than what is sent; the
  client retries it as transient, then gives up): 75.
  Token endpoint 403: 77. Token endpoint 404, an oversized body, a broken
  Content-Length: 76.
  A newline or a [Section] inside a value, an invalid CIDR: 65.
  device-number never propagates: 75. The interface disappears while its
  device-number propagates: ec2-plug 75 (still not propagated) or 69 (gone),
  ec2-ifscan 0 (nothing left to do) or 75; nothing written either way.
  /run/systemd/network read-only or full: 73, nothing partial.

Run from the repository root after `swift build` (as root: the /run cases
use a private mount namespace):
    python3 -m pytest Tests/integration/test_fault_matrix.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from ec2net_harness import (
    EX_CANTCREAT,
    EX_DATAERR,
    EX_NOPERM,
    EX_OK,
    EX_PROTOCOL,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
    Instance,
    command,
    echo,
    eni,
    environment,
    file_of,
    iface_of,
    mac_of,
    problem_lines,
    reaping,
    reference_files,
)

TOOLS = ["ec2-plug", "ec2-ifscan"]
LATE = 2  # the ENI hot-plugged late in the propagation cases


@pytest.fixture
def inst(make_configured) -> Instance:
    """eth0 and eth1 configured; then IMDS gained a secondary IP on eth1."""
    return make_configured(imds_ahead=True)


def run_tool(inst: Instance, tool: str, *extra: str, imds: str | None = None):
    if tool == "ec2-plug":
        return inst.plug(1, *extra, imds=imds)
    return inst.scan("--refresh", *extra, imds=imds)


def assert_nothing_changed(inst: Instance, before: dict, reloads: list[str]) -> None:
    assert inst.state() == before, "the generated tree changed"
    assert inst.reloads() == reloads, "networkd was reloaded"
    assert inst.temporaries() == [], "a temporary file was left behind"


def assert_one_clear_line(result, *keywords: str) -> None:
    """One problem line per failing ENI (ec2-plug: exactly one), naming the cause."""
    lines = problem_lines(result)
    assert lines, f"no error line on stderr:\n{result.stderr}"
    assert len(lines) <= 2, "more than one line per ENI:\n" + "\n".join(lines)
    if "ec2-plug" in result.args[0]:
        assert len(lines) == 1, "\n".join(lines)
    for line in lines:
        assert any(k.lower() in line.lower() for k in keywords), f"{line!r} names none of {keywords}"


# -- IMDS faults --------------------------------------------------------------------

@dataclass
class Fault:
    fault: dict[str, Any]
    code: int
    keywords: tuple[str, ...]
    config: str | None = None
    faults: list[dict[str, Any]] = field(default_factory=list)


FAILING = {
    "slower-than-timeout": Fault(dict(delay=1.0), EX_TEMPFAIL, ("request timeout", "timeout"),
                                 config="[IMDS]\nTimeout=0.3\n"),
    # Every request, the token's included, answers 500 longer than the retries.
    "500-burst-longer-than-retries": Fault(dict(status=500, count=100), EX_TEMPFAIL, ("500",)),
    # Only the metadata reads (the token is issued).
    "500-burst-on-metadata": Fault(dict(status=500, path="^/latest/meta-data/", count=100), EX_TEMPFAIL, ("500",)),
    "token-403": Fault(dict(token_status=403), EX_NOPERM, ("403",)),
    "token-404": Fault(dict(token_status=404), EX_PROTOCOL, ("404",)),
    "truncated-body": Fault(dict(truncate=True, path="/local-ipv4s$"), EX_TEMPFAIL, ("truncated",)),
    "oversized-body": Fault(dict(oversize=1 << 20, path="/local-ipv4s$"), EX_PROTOCOL, ("larger than",)),
    "bad-content-length": Fault(dict(bad_content_length=True, path="/local-ipv4s$"), EX_PROTOCOL, ("malformed",)),
    "connection-reset": Fault(dict(reset=True, path="/local-ipv4s$"), EX_TEMPFAIL, ("reset",)),
    "down-mid-run": Fault(dict(down=True, path="/local-ipv4s$"), EX_TEMPFAIL, ("closed", "unreachable")),
    "newline-section-in-list": Fault(dict(body="10.1.1.10\n[Network]\nDNS=203.0.113.1", path=f"/{mac_of(1)}/local-ipv4s$"),
                                     EX_DATAERR, ("refusing", "local-ipv4s")),
    "section-in-single-value": Fault(dict(body="10.1.1.0/24\n[Match]", path=f"/{mac_of(1)}/subnet-ipv4-cidr-block$"),
                                     EX_DATAERR, ("refusing", "subnet-ipv4-cidr-block")),
    "newline-in-interface-id": Fault(dict(body="eni-0123456789abcdef1\n[Network]\nDNS=203.0.113.1",
                                          path=f"/{mac_of(1)}/interface-id$"), EX_DATAERR, ("refusing", "interface-id")),
    "section-in-interface-id": Fault(dict(body="[Network]", path=f"/{mac_of(1)}/interface-id$"),
                                     EX_DATAERR, ("refusing", "interface-id")),
    "invalid-cidr-prefix-length": Fault(dict(body="10.1.1.0/33", path=f"/{mac_of(1)}/subnet-ipv4-cidr-block$"),
                                        EX_DATAERR, ("refusing", "subnet-ipv4-cidr-block")),
    "invalid-cidr-address": Fault(dict(body="10.1.300.0/24", path=f"/{mac_of(1)}/subnet-ipv4-cidr-block$"),
                                  EX_DATAERR, ("refusing", "subnet-ipv4-cidr-block")),
    "invalid-ipv6-cidr": Fault(dict(body="2001:db8::/129", path=f"/{mac_of(1)}/subnet-ipv6-cidr-blocks$"),
                               EX_DATAERR, ("refusing", "subnet-ipv6-cidr-blocks")),
    "invalid-ipv4-prefix": Fault(dict(body="10.200.1.16/28/3", path=f"/{mac_of(1)}/ipv4-prefix$"),
                                 EX_DATAERR, ("refusing", "ipv4-prefix")),
}


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("case", FAILING.values(), ids=FAILING.keys())
def test_fault_changes_nothing(inst, tool, case):
    if "ipv6-cidr" in str(case.fault.get("path")):
        inst.imds.set(mac_of(1), "subnet-ipv6-cidr-blocks", ["2001:db8:0:1::/64"])
    if "ipv4-prefix" in str(case.fault.get("path")):
        inst.imds.set(mac_of(1), "ipv4-prefix", ["10.200.1.16/28"])
    if case.config:
        inst.configure(case.config)
    before, reloads = inst.state(), inst.reloads()
    inst.imds.fault(**case.fault)
    result = run_tool(inst, tool)
    inst.imds.clear_faults()
    assert result.returncode == case.code
    assert_nothing_changed(inst, before, reloads)
    assert_one_clear_line(result, *case.keywords)


def test_imds_down_closed_port(inst, unreachable_imds):
    for tool in TOOLS:
        before, reloads = inst.state(), inst.reloads()
        result = run_tool(inst, tool, imds=unreachable_imds)
        assert result.returncode == EX_TEMPFAIL
        assert_nothing_changed(inst, before, reloads)
        assert_one_clear_line(result, "unreachable", "connect")


SUCCEEDING = {
    "500-burst-shorter-than-retries": dict(status=500, count=3),
    "chunked-body": dict(chunked=True),
    "one-truncated-body": dict(truncate=True, path="/local-ipv4s$", count=1),
    "one-reset": dict(reset=True, path="/local-ipv4s$", count=1),
    "slow-but-within-timeout": dict(delay=0.05, count=3),
}


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("fault", SUCCEEDING.values(), ids=SUCCEEDING.keys())
def test_recoverable_fault_converges(inst, tool, fault, tmp_path):
    reloads = len(inst.reloads())
    inst.imds.fault(**fault)
    result = run_tool(inst, tool)
    inst.imds.clear_faults()
    assert result.returncode == EX_OK
    assert inst.network_bytes() == reference_files(inst.imds, tmp_path / "reference", (0, 1))
    assert len(inst.reloads()) == reloads + 1
    assert inst.temporaries() == []


@pytest.mark.parametrize("tool", TOOLS)
def test_401_in_the_middle_of_a_run_renews_the_token_once(inst, tool, tmp_path):
    inst.imds.reset_stats()
    inst.imds.fault(expire_tokens=True, path=f"/{mac_of(1)}/local-ipv4s$")
    result = run_tool(inst, tool)
    stats = inst.imds.stats()
    assert result.returncode == EX_OK
    assert stats["tokens"] == 2, stats
    assert inst.network_bytes() == reference_files(inst.imds, tmp_path / "reference", (0, 1))


# -- propagation and a vanishing interface ------------------------------------------

def test_device_number_never_propagates(inst):
    inst.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11"])  # eth1 is current
    inst.imds.attach({**eni(LATE), "device-number-delay": 1000})
    inst.add_device(LATE)
    before, reloads = inst.state(), inst.reloads()
    plug = inst.plug(LATE, "--device-number-timeout", "0.5")
    scan = inst.scan("--device-number-timeout", "0.5")
    for result in (plug, scan):
        assert result.returncode == EX_TEMPFAIL
        assert_one_clear_line(result, "device-number")
    assert_nothing_changed(inst, before, reloads)


def wait_for_request(inst: Instance, suffix: str, bound: float = 30.0) -> None:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if any(entry["path"].endswith(suffix) for entry in inst.imds.log()):
            return
        time.sleep(0.02)
    raise AssertionError(f"no request for {suffix}")


@pytest.mark.parametrize("propagates", [False, True], ids=["never-propagates", "propagates-after-removal"])
@pytest.mark.parametrize("tool", TOOLS)
def test_interface_disappears_while_device_number_propagates(inst, tool, propagates):
    inst.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11"])  # eth1 is current
    inst.imds.attach({**eni(LATE), "device-number-delay": 1000})
    inst.add_device(LATE)
    before, reloads = inst.state(), inst.reloads()
    inst.imds.reset_stats()
    if tool == "ec2-plug":
        process = inst.start_plug(LATE, "--device-number-timeout", "3")
    else:
        process = inst.start_scan("--device-number-timeout", "3")
    with reaping([process]):
        wait_for_request(inst, f"/{mac_of(LATE)}/device-number")
        inst.remove_device(LATE)  # udev's remove: the device is gone
        if propagates:
            inst.imds.set(mac_of(LATE), "device-number-delay", 0)
        stdout, stderr = process.communicate(timeout=60)
    echo(process, stdout, stderr)
    if tool == "ec2-plug":
        assert process.returncode in (EX_TEMPFAIL, EX_UNAVAILABLE)
    else:
        # For the scan a device that left is not a failure: there is nothing
        # left to configure (as for config whose interface is gone).
        assert process.returncode in (EX_OK, EX_TEMPFAIL, EX_UNAVAILABLE)
    assert file_of(LATE) not in inst.generated(), "config written for an interface that is gone"
    if propagates:
        assert any("gone" in line and f"eth{LATE}" in line for line in stderr.splitlines()), stderr
    assert_nothing_changed(inst, before, reloads)


# -- /run read-only or full ----------------------------------------------------------

NAMESPACE_RUNNER = r"""
import json, os, subprocess, sys
spec = json.loads(sys.argv[1])
d = spec["dir"]
def mount(*args):
    subprocess.run(["mount", *args], check=True)
if spec["kind"] == "read-only":
    mount("--bind", d, d)
    mount("-o", "remount,bind,ro", d)
else:
    saved = {n: open(os.path.join(d, n), "rb").read() for n in os.listdir(d)}
    mount("-t", "tmpfs", "-o", "size=8k,mode=0755", "ec2net-full", d)
    for n, data in saved.items():
        with open(os.path.join(d, n), "wb") as f:
            f.write(data)
    fd = os.open(os.path.join(d, "zz-filler"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"x" * 256)
    except OSError:
        pass
    os.close(fd)
p = subprocess.run(spec["argv"], env=spec["env"], capture_output=True, text=True, timeout=60)
files = {n: open(os.path.join(d, n), "rb").read().decode("latin-1") for n in sorted(os.listdir(d))}
print(json.dumps({"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "files": files}))
"""


def run_with_unwritable_run(inst: Instance, tool: str, kind: str) -> dict[str, Any]:
    """Runs tool with <root>/run/systemd/network read-only (a read-only bind
    mount) or full (a tiny tmpfs holding the same files, filled up), in a
    private mount namespace so nothing outside sees it; returns the exit
    code, output and what the directory held afterwards, as seen inside."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1)")
    # The precondition on its own: a private mount namespace that runs `true`.
    # Only its failure is a skip; the runner failing below (a crash, or its
    # own timeout when the program hangs on the unwritable /run) is the
    # product failing.
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.strip()}")
    argv = command(tool, "-v", "--no-altnames", "--refresh" if tool == "ec2-ifscan" else iface_of(1),
                   root=inst.root, imds=inst.imds)
    env = environment(inst.env, inst.root)
    spec = {"dir": str(inst.root.network_dir), "kind": kind, "argv": argv, "env": env}
    outer = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable, "-c",
                            NAMESPACE_RUNNER, json.dumps(spec)], capture_output=True, text=True, timeout=120)
    if outer.returncode != 0:
        pytest.fail(f"the namespace runner failed (exit {outer.returncode}): {outer.stderr.strip()}")
    inner = json.loads(outer.stdout)
    print(f"$ {' '.join(argv)}  [{kind} {spec['dir']}]\n-> exit {inner['rc']}\n{inner['stdout']}{inner['stderr']}")
    return inner


@pytest.mark.parametrize("kind", ["read-only", "full"])
@pytest.mark.parametrize("tool", TOOLS)
def test_unwritable_run_is_73_and_nothing_partial(inst, tool, kind):
    before, reloads = inst.state(), inst.reloads()
    old = {name: data.decode("latin-1") for name, data in inst.network_bytes().items()}
    inner = run_with_unwritable_run(inst, tool, kind)
    assert inner["rc"] == EX_CANTCREAT
    # Inside: the old files, whole; no temporary file.
    seen = {n: t for n, t in inner["files"].items() if n != "zz-filler"}
    assert seen == old
    # Outside: untouched, no reload.
    assert_nothing_changed(inst, before, reloads)

    class Result:  # the shape assert_one_clear_line reads
        args = [tool]
        stderr = inner["stderr"]
    assert_one_clear_line(Result, "read-only", "no space")
