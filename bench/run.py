#!/usr/bin/env python3
"""ec2net benchmarks (issue 8), separate from the tests.

Builds the release binaries, starts the mock IMDS (Tests/support/mock_imds.py)
on loopback, and measures the real programs against temporary roots and a
fake sysfs:

  - ec2-plug latency, median and p99 (hyperfine --export-json), for an ENI
    with 3 IPv4s, 2 IPv6s and both kinds of delegated prefix;
  - ec2-ifscan over 1, 8, 32 and 64 ENIs (boot scan from scratch, and a
    refresh with nothing changed);
  - CPU per hour of refresh for 15 ENIs (user+sys of one nothing-changed
    `ec2-ifscan --refresh`, x60: the timer runs every 60 s);
  - peak RSS of each program name (/usr/bin/time -v);
  - binary size;
  - IMDS requests and TCP connections per operation (mock /_control/stats);
  - a secondary ENI on a single-card instance (no network-card key:
    upstream polls for it 8 x 0.5 s; ec2net should not wait);
  - a hot-plug whose device-number propagates after 6 s (mock
    `device-number-delay`): ec2net should take 6.0-6.15 s;
  - side by side with Debian's amazon-ec2-net-utils 2.3.0 on the e2e
    framework's simulated instance (bench/side_by_side.py; root, real
    udevd/networkd in namespaces, under the e2e lock): the first secondary
    ENI's hot-plug (device appears -> its policy rule in the kernel, median
    of 20 each) and a refresh of 15 ENIs (wall and CPU, median of 20 each),
    with the ratios. Skipped with --no-upstream (ec2net's rows still run),
    and entirely under --quick (what CI runs: it may not be root, and 20
    upstream refreshes take minutes).

Writes the table to bench/README.md (--output) with the command behind each
figure and the machine's state (cores, load before and after).

    python3 bench/run.py                 # build, measure, write bench/README.md
    python3 bench/run.py --no-build      # use .build/embedded-musl as it is
    python3 bench/run.py --no-build --bin-dir .build/release   # the SwiftPM build (make release-swiftpm)
    python3 bench/run.py --quick         # fewer runs (a smoke test of the script; no side-by-side)
    python3 bench/run.py --no-upstream   # ec2net only on the simulated instance

Needs hyperfine and GNU time (Debian packages `hyperfine`, `time`; installed
with apt-get when missing). Loopback only; every process it starts is
stopped by its PID.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Run by path (`python3 bench/run.py`), not under pytest, so pytest.ini's
# pythonpath does not apply: the harness is found here, its one place.
sys.path.insert(0, str(REPO / "Tests" / "support"))

# The tests' harness (plain Python, no pytest): the same roots, mock and ENIs.
from ec2net_harness import (  # noqa: E402
    MockIMDSProcess,
    TempRoot,
    command,
    environment,
    eni,
    rich_eni,
    scenario,
)

NAMES = ("ec2-plug", "ec2-ifscan", "ec2-unplug", "ec2-ifname")
NETWORKCTL = "/bin/true"  # a reload costs one posix_spawn of a trivial program
UPSTREAM_CARD_WAIT = "8 x 0.5 s polls for network-card (about 4.4 s)"


# --------------------------------------------------------------------------
# Tools.
# --------------------------------------------------------------------------

def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("hyperfine", "hyperfine"), ("/usr/bin/time", "time"))
               if shutil.which(tool) is None]
    if missing:
        print(f"installing {' '.join(missing)} with apt-get", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def build(release_dir: Path) -> None:
    """The release build: Embedded Swift (embedded.mk), as `make release`."""
    print(f"building: make -f embedded.mk embedded-musl EMBEDDED_MUSL_DIR={release_dir}", flush=True)
    subprocess.run(["make", "-f", "embedded.mk", "embedded-musl", f"EMBEDDED_MUSL_DIR={release_dir}"], cwd=REPO, check=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --------------------------------------------------------------------------
# The instance: scenarios, mock IMDS, fake root (Tests/support/ec2net_harness.py).
# --------------------------------------------------------------------------

def make_root(directory: Path, count: int) -> TempRoot:
    """A temporary --root and fake sysfs with ENIs 0..count-1 (driver ena)."""
    root = TempRoot.make(directory)
    for index in range(count):
        root.add_device(index)
    return root


@dataclass
class Bench:
    bin_dir: Path
    work: Path
    quick: bool
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (what, result, command)
    details: dict[str, Any] = field(default_factory=dict)
    mocks: list[MockIMDSProcess] = field(default_factory=list)
    baseline_dir: Path | None = None  # --baseline-bin-dir: the same rows for an older build, in this run
    upstream: bool = True  # --no-upstream: the side-by-side runs ec2net only

    def runs(self, full: int) -> int:
        return max(10, full // 10) if self.quick else full

    def mock(self, description: dict[str, Any]) -> MockIMDSProcess:
        m = MockIMDSProcess(description, self.work / f"imds{len(self.mocks)}", request_log=False)
        self.mocks.append(m)
        return m

    def env(self, root: TempRoot) -> dict[str, str]:
        return environment({"EC2NET_NETWORKCTL": NETWORKCTL}, root)

    def command(self, name: str, root: TempRoot, imds: MockIMDSProcess, *args: str,
                directory: Path | None = None) -> list[str]:
        return command(name, "--no-altnames", *args, root=root, imds=imds, directory=directory or self.bin_dir)

    def builds(self) -> list[tuple[str, Path]]:
        """(label, bin dir): this build, and the baseline when given."""
        return ([("before", self.baseline_dir)] if self.baseline_dir else []) + [("after", self.bin_dir)]

    def run(self, argv: list[str], root: TempRoot, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(argv, env=self.env(root), capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError(f"{shlex.join(argv)} -> {result.returncode}\n{result.stderr}")
        return result

    def hyperfine(self, label: str, argv: list[str], root: TempRoot, runs: int, prepare: str | None = None,
                  warmup: int = 3) -> tuple[list[float], str]:
        """Seconds per run, and the hyperfine command line that measured them."""
        out = self.work / f"hyperfine-{len(self.details)}.json"
        cmd = ["hyperfine", "-N", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
               "--export-json", str(out)]
        if prepare:
            cmd += ["--prepare", prepare]
        cmd += ["--", shlex.join(argv)]
        subprocess.run(cmd, env=self.env(root), check=True, stdout=subprocess.DEVNULL)
        result = json.loads(out.read_text())["results"][0]
        codes = set(result.get("exit_codes") or [0])
        if codes != {0}:
            raise RuntimeError(f"{label}: exit codes {codes}")
        self.details[label] = {k: result[k] for k in ("mean", "stddev", "median", "min", "max")}
        return result["times"], shlex.join(cmd)

    def add(self, what: str, result: str, command: str) -> None:
        print(f"{what}: {result}", flush=True)
        self.rows.append((what, result, command))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def short(command: str, work: Path) -> str:
    """Command lines with the temporary directory and build dir abbreviated."""
    command = command.replace(str(work), "$WORK").replace(str(REPO) + "/", "")
    return re.sub(r"http://127\.0\.0\.1:\d+", "$IMDS", command)


def summary(values: list[float]) -> dict[str, float]:
    return {"runs": len(values), "median": statistics.median(values), "min": min(values), "max": max(values)}


# --------------------------------------------------------------------------
# The measurements.
# --------------------------------------------------------------------------

def bench_plug_latency(b: Bench) -> None:
    imds = b.mock(scenario([eni(0), rich_eni(1)]))
    root = make_root(b.work / "plug", 2)
    argv = b.command("ec2-plug", root, imds, "eth1")
    target = root.network_dir / "05-ec2net-eth1.network"
    runs = b.runs(200)
    # Writes the file and asks for a reload every run (the udev add case).
    times, cmd = b.hyperfine("plug-write", argv, root, runs, prepare=f"rm -f {target}")
    b.add(f"ec2-plug latency, rich ENI (3 IPv4, 2 IPv6, both prefixes), file written + reload; {runs} runs",
          f"median {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}", short(cmd, b.work))
    # Already up to date (a repeated add event): reads IMDS, writes nothing.
    times, cmd = b.hyperfine("plug-noop", argv, root, runs)
    b.add(f"ec2-plug latency, same ENI, config up to date; {runs} runs",
          f"median {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}", short(cmd, b.work))


def bench_ifname_map_hit(b: Bench) -> None:
    """ec2-ifname for an ENI already in the naming map (udev's IMPORT on a
    re-add or a boot after the first): no IMDS request; issue 17's target
    is 1 ms."""
    imds = b.mock(scenario([eni(0), rich_eni(1)]))
    root = make_root(b.work / "ifname", 2)
    b.run(b.command("ec2-plug", root, imds, "eth1"), root)  # records eth1 in the naming map
    argv = b.command("ec2-ifname", root, imds, "eth1")
    runs = b.runs(300)
    times, cmd = b.hyperfine("ifname-hit", argv, root, runs)
    b.add(f"ec2-ifname, ENI in the naming map (no IMDS request); {runs} runs",
          f"median {statistics.median(times) * 1000:.2f} ms, p99 {percentile(times, 99) * 1000:.2f} ms",
          short(cmd, b.work))


def bench_split_writes(b: Bench) -> None:
    """ec2-plug against a mock that writes each response's head and body
    separately with Nagle on (issue 13): a keep-alive client that does not
    ack at once waits out its own delayed ACK (~40 ms) on every response."""
    runs = b.runs(100)
    root = make_root(b.work / "split", 2)
    target = root.network_dir / "05-ec2net-eth1.network"
    medians = {}
    for writes in ("one", "split"):
        imds = b.mock({**scenario([eni(0), rich_eni(1)]), "response_writes": writes})
        argv = b.command("ec2-plug", root, imds, "eth1")
        times, cmd = b.hyperfine(f"plug-writes-{writes}", argv, root, runs, prepare=f"rm -f {target}")
        medians[writes] = statistics.median(times)
        b.add(f"ec2-plug, rich ENI, mock writes each response in {writes} write(s) "
              f"({'head, then body, Nagle on' if writes == 'split' else 'head + body together'}); {runs} runs",
              f"median {ms(medians[writes])}, p99 {ms(percentile(times, 99))}", short(cmd, b.work))
    b.add("ec2-plug, split writes against one write", f"{medians['split'] / medians['one']:.2f}x (target <= 1.5x)",
          "ratio of the two medians above")


def bench_single_card_secondary(b: Bench) -> None:
    # A single-card type: no ENI publishes network-card.
    imds = b.mock(scenario([eni(0), eni(1)]))
    root = make_root(b.work / "single-card", 2)
    argv = b.command("ec2-plug", root, imds, "eth1")
    runs = b.runs(50)
    times, cmd = b.hyperfine("single-card", argv, root, runs,
                             prepare=f"rm -f {root.network_dir / '05-ec2net-eth1.network'}")
    b.add(f"secondary ENI on a single-card instance (no network-card key), ec2-plug; upstream: {UPSTREAM_CARD_WAIT}",
          f"median {ms(statistics.median(times))}, max {ms(max(times))} (no wait)", short(cmd, b.work))
    # The same ENI where the instance type publishes network-card.
    imds2 = b.mock(scenario([eni(0, **{"network-card": 0}), eni(1, **{"network-card": 0})]))
    argv2 = b.command("ec2-plug", root, imds2, "eth1")
    times, cmd = b.hyperfine("multi-card", argv2, root, runs,
                             prepare=f"rm -f {root.network_dir / '05-ec2net-eth1.network'}")
    b.add("secondary ENI where the instance publishes network-card, ec2-plug",
          f"median {ms(statistics.median(times))}, max {ms(max(times))}", short(cmd, b.work))


def bench_lone_plug(b: Bench) -> None:
    """Issue 21, never late: a lone secondary ENI plug (nothing else runs),
    file written + reload, before/after the coalescing change."""
    imds = b.mock(scenario([eni(0), eni(1)]))
    runs = b.runs(50)
    for label, directory in b.builds():
        root = make_root(b.work / f"lone-{label}", 2)
        argv = b.command("ec2-plug", root, imds, "eth1", directory=directory)
        times, cmd = b.hyperfine(f"lone-plug-{label}", argv, root, runs,
                                 prepare=f"rm -f {root.network_dir / '05-ec2net-eth1.network'}")
        b.add(f"lone secondary ENI plug, file written + reload ({label}: {directory.name} of "
              f"{'the baseline' if label == 'before' else 'this tree'}); {runs} runs",
              f"median {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}", short(cmd, b.work))


BURST = 8


def bench_burst(b: Bench) -> None:
    """Issue 21: 8 secondary ENIs hot-plugged at once (8 ec2-plug started
    together, as udev forks them); reloads counted by a networkctl stand-in
    that appends a line per call (it sleeps 5 ms, about a real reload's
    D-Bus round trip, so a reload is not free)."""
    bursts = 20 if not b.quick else 5
    imds = b.mock(scenario([eni(i) for i in range(BURST + 1)]))
    for label, directory in b.builds():
        root = make_root(b.work / f"burst-{label}", BURST + 1)
        counter = b.work / f"reloads-{label}"
        stand_in = b.work / f"networkctl-{label}"
        stand_in.write_text(f"#!/bin/sh\necho \"$@\" >> {counter}\nsleep 0.005\n")
        stand_in.chmod(0o755)
        env = {**b.env(root), "EC2NET_NETWORKCTL": str(stand_in)}
        per_burst = []
        started = time.monotonic()
        for _ in range(bursts):
            for f in root.network_dir.glob("05-ec2net-*.network"):
                f.unlink()
            counter.write_text("")
            procs = [subprocess.Popen(b.command("ec2-plug", root, imds, f"eth{i}", directory=directory), env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for i in range(1, BURST + 1)]
            codes = [p.wait(timeout=120) for p in procs]
            if set(codes) != {0}:
                raise RuntimeError(f"burst ({label}): exit codes {codes}")
            per_burst.append(len(counter.read_text().splitlines()))
        elapsed = time.monotonic() - started
        b.details[f"burst-{label}"] = {"reloads_per_burst": per_burst, "seconds": elapsed}
        b.add(f"burst of {BURST} simultaneous secondary ENI plugs ({label}), reloads over {bursts} bursts",
              f"{sum(per_burst)} reloads: max {max(per_burst)}, median {statistics.median(per_burst)} per burst "
              f"(distribution {dict(sorted((n, per_burst.count(n)) for n in set(per_burst)))}); "
              f"{ms(elapsed / bursts)} per burst",
              f"{BURST} x ec2-plug eth1..eth{BURST} started together, EC2NET_NETWORKCTL=counting stand-in")


# Packets to 169.254.169.254 per IMDS request through the primary ENI,
# both directions, measured in the e2e simulation for issue 21 (32 ENIs:
# 452 packets out and 227 back for 224 requests on one connection).
PACKETS_PER_REQUEST = (452 + 227) / 224
LINK_LOCAL_ALLOWANCE = 1024  # packets/s per ENI to link-local services (AWS ENA docs, linklocal_allowance_exceeded)


def busiest_second(times: list[float]) -> int:
    """The most requests that started within any 1-second window."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def bench_link_local(b: Bench) -> None:
    """Issue 21: IMDS traffic per ENI per second of a boot scan and a
    refresh, against the link-local allowance. All requests leave through
    one ENI (the primary's route to 169.254.169.254)."""
    for count in (8, 32, 64):
        imds = b.mock(scenario([eni(0)] + [eni(i, **{"local-ipv4s": [f"10.0.{i}.10", f"10.0.{i}.11"]})
                                           for i in range(1, count)]))
        for label, directory in b.builds():
            root = make_root(b.work / f"linklocal-{count}-{label}", count)
            for what, args in (("boot scan", ()), ("refresh", ("--refresh",))):
                imds.reset_stats()
                started = time.monotonic()
                b.run(b.command("ec2-ifscan", root, imds, *args, directory=directory), root)
                elapsed = time.monotonic() - started
                times = [entry["t"] for entry in imds.log()]
                peak = busiest_second(times)
                packets = peak * PACKETS_PER_REQUEST
                b.details[f"linklocal-{count}-{what}-{label}"] = {"requests": len(times), "busiest_second": peak,
                                                                   "seconds": elapsed}
                b.add(f"IMDS traffic of a {what}, {count} ENIs ({label})",
                      f"{len(times)} requests in {elapsed:.2f} s; busiest second {peak} requests, about "
                      f"{packets:.0f} packets = {100 * packets / LINK_LOCAL_ALLOWANCE:.0f}% of the "
                      f"{LINK_LOCAL_ALLOWANCE}/s allowance, through the primary ENI",
                      f"ec2-ifscan {' '.join(args)} against the mock; its /_control/log timestamps")


def bench_late_device_number(b: Bench) -> None:
    imds = b.mock(scenario([eni(0)]))
    root = make_root(b.work / "late", 1)
    walls = []
    trials = 2 if b.quick else 5
    for trial in range(trials):
        index = 1 + trial
        root.add_device(index)
        argv = b.command("ec2-plug", root, imds, f"eth{index}")
        start = time.monotonic()  # before the attach: the mock's clock starts inside it
        imds.attach({**eni(index), "device-number-delay": 6})
        result = b.run(argv, root)
        walls.append(time.monotonic() - start)
        assert result.returncode == 0
    b.details["late-device-number"] = summary(walls)
    b.add(f"hot-plug, device-number propagates 6 s after attach (mock device-number-delay=6); {trials} runs, "
          "wall from attach to exit (expected 6.0-6.15 s)",
          f"median {statistics.median(walls):.3f} s, min {min(walls):.3f} s, max {max(walls):.3f} s",
          short(f"attach {{device-number-delay: 6}}; {shlex.join(argv)}", b.work))


def bench_ifscan(b: Bench) -> None:
    for count in (1, 8, 32, 64):
        imds = b.mock(scenario([eni(i) for i in range(count)]))
        root = make_root(b.work / f"scan{count}", count)
        boot = b.command("ec2-ifscan", root, imds)
        runs = b.runs(30)
        prepare = f"find {root.network_dir} -name 05-ec2net-*.network -delete"
        times, cmd = b.hyperfine(f"scan-boot-{count}", boot, root, runs, prepare=prepare)
        cpu = []
        for _ in range(b.runs(10)):
            root.clear_network()
            cpu.append(rusage_of(boot, b.env(root))[0])
        b.add(f"ec2-ifscan boot scan from scratch, {count} ENI{'s' if count > 1 else ''} ({runs} runs)",
              f"median {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}; "
              f"ec2-ifscan's own CPU {ms(statistics.median(cpu))}", short(cmd, b.work))
        b.run(boot, root)
        refresh = b.command("ec2-ifscan", root, imds, "--refresh")
        times, cmd = b.hyperfine(f"scan-refresh-{count}", refresh, root, runs)
        cpu = [rusage_of(refresh, b.env(root))[0] for _ in range(b.runs(10))]
        b.add(f"ec2-ifscan --refresh, nothing changed, {count} ENI{'s' if count > 1 else ''} ({runs} runs)",
              f"median {ms(statistics.median(times))}, p99 {ms(percentile(times, 99))}; "
              f"ec2-ifscan's own CPU {ms(statistics.median(cpu))}", short(cmd, b.work))


def rusage_of(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(user+sys seconds, max RSS kB, exit code) of one run, from wait4()."""
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode


def bench_refresh_cpu(b: Bench) -> None:
    count = 15
    imds = b.mock(scenario([eni(i) for i in range(count)]))
    root = make_root(b.work / "cpu", count)
    b.run(b.command("ec2-ifscan", root, imds), root)
    argv = b.command("ec2-ifscan", root, imds, "--refresh")
    samples = []
    for _ in range(b.runs(100)):
        cpu, _, code = rusage_of(argv, b.env(root))
        assert code == 0
        samples.append(cpu)
    per_run = statistics.median(samples)
    b.details["refresh-cpu-15"] = summary(samples)
    b.add(f"CPU per hour of refresh, {count} ENIs (median user+sys of one nothing-changed --refresh "
          f"over {len(samples)} runs, x60)",
          f"{per_run * 1000:.2f} ms per refresh -> {per_run * 60:.3f} s CPU per hour",
          short(f"wait4 rusage of: {shlex.join(argv)}", b.work))


def bench_peak_rss(b: Bench) -> None:
    imds = b.mock(scenario([rich_eni(0)] + [rich_eni(i) for i in range(1, 64)]))
    root = make_root(b.work / "rss", 64)
    operations = {
        "ec2-plug": (b.command("ec2-plug", root, imds, "eth1"), "rich ENI, writes its file"),
        "ec2-ifscan": (b.command("ec2-ifscan", root, imds), "boot scan of 64 rich ENIs from scratch"),
        "ec2-ifname": (b.command("ec2-ifname", root, imds, "eth2"), "ENI not in the naming map: asks IMDS"),
        "ec2-unplug": (b.command("ec2-unplug", root, imds, "eth1"), "removes eth1's file"),
    }
    for name in NAMES:
        argv, what = operations[name]
        result = subprocess.run(["/usr/bin/time", "-v", *argv], env=b.env(root), capture_output=True, text=True)
        rss = next(int(line.split(":")[1]) for line in result.stderr.splitlines()
                   if "Maximum resident set size" in line)
        b.add(f"peak RSS, {name} ({what})", f"{rss / 1024:.1f} MiB ({rss} kB)",
              short(f"/usr/bin/time -v {shlex.join(argv)}", b.work))


def bench_size(b: Bench) -> None:
    executable = b.bin_dir / "ec2net"
    st = executable.stat()
    linked = [n for n in NAMES if (b.bin_dir / n).stat().st_ino == st.st_ino]
    b.add("binary size (one executable, four names as hard links)",
          f"{st.st_size} bytes ({st.st_size / 1e6:.2f} MB); {len(linked)} names share it",
          short(f"stat {executable}", b.work))


def bench_traffic(b: Bench) -> None:
    count = 15
    enis = [eni(0)] + [rich_eni(i) for i in range(1, count)]
    imds = b.mock(scenario(enis))
    root = make_root(b.work / "traffic", count)
    operations = [
        ("ec2-plug, rich secondary ENI, first time", b.command("ec2-plug", root, imds, "eth1")),
        ("ec2-plug, same ENI, up to date", b.command("ec2-plug", root, imds, "eth1")),
        ("ec2-ifname, ENI in the naming map", b.command("ec2-ifname", root, imds, "eth1")),
        ("ec2-ifname, ENI not in the naming map", b.command("ec2-ifname", root, imds, "eth2")),
        ("ec2-unplug", b.command("ec2-unplug", root, imds, "eth1")),
        (f"ec2-ifscan boot scan, {count} ENIs ({count - 1} unconfigured)", b.command("ec2-ifscan", root, imds)),
        (f"ec2-ifscan --refresh, {count} ENIs, nothing changed", b.command("ec2-ifscan", root, imds, "--refresh")),
    ]
    for what, argv in operations:
        imds.reset_stats()
        b.run(argv, root)
        stats = imds.stats()
        b.add(f"IMDS traffic: {what}",
              f"{stats['requests']} requests, {stats['connections']} TCP connection(s), {stats['tokens']} token(s)",
              short(f"/_control/stats after {shlex.join(argv)}", b.work))


SIDE_BY_SIDE_TRIALS = 20  # hot-plugs and refreshes per product (issue 21: N >= 20)


def bench_side_by_side(b: Bench) -> None:
    """Issue 21: ec2net and amazon-ec2-net-utils 2.3.0 on the same simulated
    instance (bench/side_by_side.py), the same fault-free mock IMDS."""
    if b.quick:
        print("side-by-side: skipped under --quick", flush=True)
        return
    import side_by_side as side  # Tests/e2e/sim: only needed here
    reason = side.available()
    if reason:
        print(f"side-by-side: skipped, the simulated instance {reason}", flush=True)
        return
    os.environ["EC2NET_BUILD_DIR"] = str(b.bin_dir.resolve())  # the programs the simulation binds in
    products = ["ec2net"] + (["upstream"] if b.upstream else [])
    tree = side.upstream_tree() if b.upstream else None
    label = {"ec2net": f"ec2net ({b.bin_dir.name})", "upstream": side.UPSTREAM_LABEL}
    runs = SIDE_BY_SIDE_TRIALS
    plug: dict[str, float] = {}
    refresh: dict[str, tuple[float, float]] = {}
    with side.e2e_lock():
        for product in products:
            times = side.hotplug_trials(product, runs, tree)
            plug[product] = statistics.median(times)
            b.details[f"sim-hotplug-{product}"] = summary(times)
            b.add(f"simulated instance, first secondary ENI hot-plug, device appears -> its policy rule in the "
                  f"kernel, {label[product]}; {runs} trials",
                  f"median {ms(plug[product])}, min {ms(min(times))}, max {ms(max(times))}",
                  "bench/side_by_side.py hotplug_trials: rtnetlink RTM_NEWLINK (its MAC) -> RTM_NEWRULE (its address)")
        for product in products:
            walls, cpus = side.refresh_trials(product, runs, tree)
            refresh[product] = (statistics.median(walls), statistics.median(cpus))
            b.details[f"sim-refresh-{product}"] = {"wall": summary(walls), "cpu": summary(cpus)}
            how = ("nsenter ... ec2-ifscan --refresh" if product == "ec2net" else
                   "nsenter ... setup-policy-routes IFACE start; ... IFACE cleanup (refresh-policy-routes@.service), "
                   f"for each of the {side.REFRESH_ENIS} in turn")
            b.add(f"simulated instance, refresh of {side.REFRESH_ENIS} ENIs, nothing changed, {label[product]}; "
                  f"{runs} runs",
                  f"wall median {ms(refresh[product][0])} (max {ms(max(walls))}); CPU (user+sys, with children) "
                  f"median {ms(refresh[product][1])} -> {refresh[product][1] * 60:.2f} s CPU per hour",
                  how + "; wait4 rusage")
    if "upstream" in plug:
        b.add("side by side: hot-plug, amazon-ec2-net-utils / ec2net (medians)",
              f"{plug['upstream'] / plug['ec2net']:.1f}x", "ratio of the two hot-plug medians above")
        b.add(f"side by side: refresh of {side.REFRESH_ENIS} ENIs, amazon-ec2-net-utils / ec2net (medians)",
              f"wall {refresh['upstream'][0] / refresh['ec2net'][0]:.1f}x, "
              f"CPU {refresh['upstream'][1] / refresh['ec2net'][1]:.1f}x", "ratio of the two refresh medians above")


# --------------------------------------------------------------------------
# Report.
# --------------------------------------------------------------------------

def source_revision() -> str:
    return subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                          capture_output=True, text=True).stdout.strip() or "?"


def machine_notes(load_before: str, load_after: str, started: float, revision: str) -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    hyperfine = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    swift = subprocess.run([shutil.which("swift") or "/opt/swift/usr/bin/swift", "--version"],
                           capture_output=True, text=True).stdout.splitlines()
    return [
        f"- CPU: {os.cpu_count()} cores ({model}); kernel {platform.release()}",
        f"- load average (1, 5, 15 min) before: {load_before}; after: {load_after}",
        f"- took {time.monotonic() - started:.0f} s; {hyperfine}; {swift[0] if swift else 'swift ?'}; "
        f"built from {revision} (at build time; -dirty: uncommitted edits in the tree)",
        f"- networkctl stand-in: `{NETWORKCTL}` (a reload is one posix_spawn of it); mock IMDS: "
        "Tests/support/mock_imds.py (Python, threaded) on 127.0.0.1",
    ]


def write_report(path: Path, b: Bench, notes: list[str], invocation: str) -> None:
    lines = [
        "# ec2net benchmarks",
        "",
        "Produced by `make bench` (which runs `" + invocation + "`): the release build",
        "(`make release`: Embedded Swift, embedded.mk, in `.build/embedded-musl`, unless the bin-dir line below says otherwise) against",
        "the mock IMDS on loopback, with temporary roots and a fake sysfs (devices with a `device/driver`",
        "link to `ena`). `$WORK` is the temporary directory of the run, `$IMDS` the mock's URL. Figures in milliseconds are wall",
        "time unless noted. Timings are not asserted anywhere: the tests check behaviour, this checks cost.",
        "",
        "| measure | result | command |",
        "|---|---|---|",
    ]
    for what, result, how in b.rows:
        lines.append(f"| {what} | {result} | `{how.replace('|', '¦')}` |")
    lines += ["", "## Reading the figures", "",
              "- A plug that writes includes the reload coordination, and no fixed wait since issue 21 "
              "(the 20 ms `settleDelay` is gone): bursts coalesce by the overlap of the processes' shared locks; "
              "ec2-plug returns only after a pending reload is done (`ReloadCoordinator.Turn`).",
              "- Wall times of the scans include the mock IMDS, a Python server that is slower per request "
              "than the real service; \"ec2-ifscan's own CPU\" (user+sys from wait4) is ec2net alone.",
              "- Upstream was run here only in the \"simulated instance\" rows (bench/side_by_side.py: Debian's "
              "amazon-ec2-net-utils 2.3.0-3, unpacked, never installed, on the same simulated instance and mock "
              "IMDS; the harness starts its units' commands where systemd would). Elsewhere its figures are the "
              "ones named in the rows (its network-card poll).",
              "", "## Machine", "", *notes, "",
              "The machine is shared with other builds: a high load average inflates the wall times "
              "(CPU time per refresh is less sensitive).", "",
              "## Raw summaries (seconds)", "", "```", json.dumps(b.details, indent=1, default=str)[:20000], "```", ""]
    # The real-boot section (Tests/vm/bench_boot.py, a QEMU guest) is measured
    # separately; a rerun of this script keeps it.
    previous = path.read_text() if path.exists() else ""
    kept = previous[previous.index(VM_SECTION_MARK):] if VM_SECTION_MARK in previous else ""
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""))
    print(f"wrote {path}")


VM_SECTION_MARK = "<!-- real boot: Tests/vm/bench_boot.py; kept by bench/run.py -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the release build as it is")
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    parser.add_argument("--bin-dir", default=str(REPO / ".build" / "embedded-musl"))
    parser.add_argument("--output", default=str(REPO / "bench" / "README.md"))
    parser.add_argument("--baseline-bin-dir", help="an older build measured in the same run (lone-plug, burst)")
    parser.add_argument("--no-upstream", action="store_true",
                        help="side-by-side: run ec2net only, not amazon-ec2-net-utils")
    parser.add_argument("--only", nargs="*", help="run only these: plug ifname split-writes single-card late scan cpu rss size traffic lone-plug burst link-local side-by-side")
    args = parser.parse_args()

    ensure_tools()
    bin_dir = Path(args.bin_dir)
    revision = source_revision()
    if not args.no_build:
        build(bin_dir)
    started = time.monotonic()
    load_before = load_average()
    print(f"load average before: {load_before} ({os.cpu_count()} cores)", flush=True)
    steps = {
        "plug": bench_plug_latency, "ifname": bench_ifname_map_hit, "split-writes": bench_split_writes, "single-card": bench_single_card_secondary, "late": bench_late_device_number,
        "scan": bench_ifscan, "cpu": bench_refresh_cpu, "rss": bench_peak_rss, "size": bench_size,
        "traffic": bench_traffic, "lone-plug": bench_lone_plug, "burst": bench_burst,
        "link-local": bench_link_local, "side-by-side": bench_side_by_side,
    }
    with tempfile.TemporaryDirectory(prefix="ec2net-bench-") as work:
        b = Bench(bin_dir=bin_dir, work=Path(work), quick=args.quick,
                  baseline_dir=Path(args.baseline_bin_dir) if args.baseline_bin_dir else None,
                  upstream=not args.no_upstream)
        try:
            for name, step in steps.items():
                if args.only and name not in args.only:
                    continue
                step(b)
        finally:
            for m in b.mocks:
                m.stop()
    load_after = load_average()
    invocation = "python3 bench/run.py" + (" --quick" if args.quick else "") + (" --no-upstream" if args.no_upstream else "")
    write_report(Path(args.output), b, machine_notes(load_before, load_after, started, revision), invocation)
    return 0


if __name__ == "__main__":
    sys.exit(main())
