"""Crash safety (issue 8): SIGKILL ec2-plug at random points while it turns
one rendering of an ENI's config into another, and check after every kill
that each generated file is absent, the old version or the new version
(byte-equal to one of the two renderings), never partial; then that the
next run converges (file == the rendering for today's metadata, exit 0, no
temporary file, no reload left pending).

Trials: EC2NET_CRASH_TRIALS (default 200, issue 8's count, what CI runs;
40 under EC2NET_RUNNER, where each emulated run outlasts the kill windows
and the trials only show the build survives kills at all). EC2NET_CRASH_SEED fixes the
random sequence (printed on every run, to replay a failure).

Each trial kills the process 0..30 ms after it was started, while the mock
IMDS delays some answers by 0..3 ms, so kills land before, during and after
the write; the test prints how many landed where, and asserts that kills
landed both before and after the rename (counts > 0).

Reloads are counted too (issue 21: "written, never reloaded"): after every
trial whose kill left the tree changed, either the killed run reloaded, or
it left `reload-pending` and the next run, changing nothing itself,
reloaded. Zero trials may end with a changed tree and neither.
"""

from __future__ import annotations

import os
import random
import signal
import time
import warnings
from collections import Counter

import pytest

from ec2net_harness import EX_OK, Instance, eni, file_of, mac_of, reaping, reference_files, rich_eni, runner

TRIALS = int(os.environ.get("EC2NET_CRASH_TRIALS", "40" if runner() else "200"))
SEED = int(os.environ.get("EC2NET_CRASH_SEED", str(random.SystemRandom().randrange(1 << 32))))
KILL_WINDOW = 0.030
IMDS_JITTER = 0.003
TARGET = 1  # the ENI whose config is rewritten

# Two versions of the ENI's metadata, each a different rendering.
VERSIONS = {
    "A": {"local-ipv4s": ["10.1.1.10", "10.1.1.11", "10.1.1.12"],
          "ipv4-prefix": ["10.200.1.16/28"]},
    "B": {"local-ipv4s": ["10.1.1.10", "10.1.1.13", "10.1.1.14", "10.1.1.15", "10.1.1.16"],
          "ipv4-prefix": ["10.200.1.32/28", "10.200.1.48/28"]},
}


def set_version(inst: Instance, version: str) -> None:
    for key, value in VERSIONS[version].items():
        inst.imds.set(mac_of(TARGET), key, value)


def test_sigkill_at_random_points_leaves_old_or_new_and_the_next_run_converges(make_instance, tmp_path):
    print(f"EC2NET_CRASH_SEED={SEED} EC2NET_CRASH_TRIALS={TRIALS}")
    rng = random.Random(SEED)
    inst = make_instance([eni(0), rich_eni(TARGET)])
    inst.add_device(TARGET)
    name = file_of(TARGET)

    renderings: dict[str, bytes] = {}
    for version in VERSIONS:
        set_version(inst, version)
        renderings[version] = reference_files(inst.imds, tmp_path / f"reference-{version}", (TARGET,))[name]
    assert renderings["A"] != renderings["B"]
    device_map = inst.root.state_dir / "interfaces"
    assert inst.plug(TARGET).returncode == EX_OK
    map_line = device_map.read_text()  # what the naming map holds once written
    device_map.unlink()
    (inst.root.network_dir / name).unlink()

    outcomes: Counter[str] = Counter()
    reloads: Counter[str] = Counter()
    marker = inst.root.path / "run" / "ec2net" / "reload-pending"
    current = None  # what the file holds: None (absent), "A" or "B"
    for trial in range(TRIALS):
        target = "B" if current == "A" else "A"
        if rng.random() < 0.1 and current is not None:
            (inst.root.network_dir / name).unlink()  # sometimes from nothing
            current = None
        set_version(inst, target)
        inst.imds.clear_faults()
        inst.imds.fault(delay=rng.uniform(0, IMDS_JITTER), count=rng.randrange(1, 12))
        inst.imds.fault(delay=rng.uniform(0, IMDS_JITTER), path="/local-ipv4s$|/ipv4-prefix$")
        map_before = device_map.read_bytes() if device_map.exists() else None
        reloads_before = len(inst.reloads())

        with reaping([inst.start_plug(TARGET)]) as (process,):
            time.sleep(rng.uniform(0, KILL_WINDOW))
            finished = process.poll() is not None
            if not finished:
                os.kill(process.pid, signal.SIGKILL)
            process.communicate(timeout=60)

        # After the kill: the old version, the new one, or (only if it was absent) nothing.
        files = inst.network_bytes()
        allowed = {name} | set(inst.temporaries())
        assert set(files) <= allowed, f"trial {trial}: unexpected files {sorted(files)}"
        data = files.get(name)
        if data is None:
            assert current is None, f"trial {trial}: the config vanished (was {current})"
            landed = "absent"
        elif data == renderings[target]:
            landed = "new"
        elif current is not None and data == renderings[current]:
            landed = "old"
        else:
            pytest.fail(f"trial {trial}: partial or foreign config after SIGKILL "
                        f"({len(data)} bytes; old {current}, new {target}):\n{data.decode(errors='replace')}")
        # The naming map is absent (first trials), as it was, or whole.
        if device_map.exists() and device_map.read_bytes() != map_before:
            text = device_map.read_text()
            assert text == map_line, f"trial {trial}: device map partial or damaged: {text!r}"
        outcomes[("finished-" if finished else "killed-") + landed] += 1
        if inst.temporaries():
            outcomes["temporary-left"] += 1
        # networkctl is a child the kill does not reach: let it log first.
        time.sleep(0.05)
        reloaded_by_run = len(inst.reloads()) > reloads_before
        left_pending = marker.exists()

        # The next run converges.
        inst.imds.clear_faults()
        reloads_before_next = len(inst.reloads())
        result = inst.plug(TARGET)
        assert result.returncode == EX_OK, f"trial {trial}: {result.stderr}"
        assert inst.network_bytes() == {name: renderings[target]}, f"trial {trial}: did not converge"
        assert inst.temporaries() == [], f"trial {trial}: the next run left a temporary file"
        assert not (inst.root.path / "run" / "ec2net" / "reload-pending").exists(), \
            f"trial {trial}: a reload is still pending after a completed run"
        if landed == "new":  # the killed run changed the tree
            reloaded_next = len(inst.reloads()) > reloads_before_next
            if reloaded_by_run:
                reloads["by the run itself"] += 1
            elif left_pending and reloaded_next:
                reloads["pending, by the next run"] += 1
            else:
                reloads["lost"] += 1
        current = target

    print(f"where {TRIALS} kills landed: {dict(sorted(outcomes.items()))}")
    print(f"reloads after a changed tree: {dict(sorted(reloads.items()))}")
    assert reloads["lost"] == 0, f"{reloads['lost']} trials changed the tree and never reloaded"
    # The harness must really kill around the write, not only before or after it.
    assert outcomes["killed-old"] + outcomes["killed-absent"] > 0, f"no kill landed before the rename: {outcomes}"
    # Under emulation (EC2NET_RUNNER: qemu-user, issue 24) a run takes
    # several times KILL_WINDOW, so every kill may land before the rename:
    # that is reported, not a failure; natively the window covers both.
    if outcomes["killed-new"] == 0 and runner():
        message = f"under {' '.join(runner())} no kill landed after the rename: {outcomes}"
        print(message)
        warnings.warn(message)
    else:
        assert outcomes["killed-new"] > 0, f"no kill landed after the rename: {outcomes}"
