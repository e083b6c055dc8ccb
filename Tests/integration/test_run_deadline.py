"""One deadline per run (issue 21): ec2-plug ends by its run's deadline
whatever IMDS does. The test hook EC2NET_DEADLINE_SECONDS (which can only
shorten the 60 s udev budget) sets it to 2 s; the mock IMDS answers every
request after 1.5 s, within the client's own request timeout, so without
the deadline the run would go on for many seconds (one request after
another). With it the run fails as "try later" (75; from udev the
hand-over exit 0), says the deadline ended it, and keeps the config.

The same deadline bounds what the kernel would let block for ever: a lock
another ec2net process holds (flock, polled until the deadline: 75, nothing
changed, a pending reload stays pending) and `networkctl reload` (waited
for until the deadline, then killed by PID and reaped: a failed reload,
71, pending for the next run). ec2-ifscan has a deadline of its own
(110 s, below its units' TimeoutStartSec=120), shortened the same way.
The test's own run timeout is the only bound on time asserted.

Run from the repository root after `swift build`:
    python3 -m pytest Tests/integration/test_run_deadline.py
"""

from __future__ import annotations

import fcntl
import os
import signal
import textwrap
from pathlib import Path

import pytest

from ec2net_harness import EX_OK, EX_TEMPFAIL, Instance, file_of, iface_of, mac_of, problem_lines

EX_OSERR = 71


@pytest.fixture
def inst(make_configured) -> Instance:
    """eth0 and eth1 configured; then IMDS gained a secondary IP on eth1
    (10.1.1.99), so a run that got through would write."""
    return make_configured(imds_ahead=True)


def test_plug_ends_at_the_runs_deadline_and_keeps_config(inst):
    before, reloads = inst.state(), inst.reloads()
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    inst.imds.fault(delay=1.5)
    result = inst.plug(1)
    inst.imds.clear_faults()
    assert result.returncode == EX_TEMPFAIL
    lines = problem_lines(result)
    assert len(lines) == 1, result.stderr
    assert "deadline ended it" in lines[0], lines[0]
    assert inst.state() == before, "the generated tree changed"
    assert inst.reloads() == reloads, "networkd was reloaded"
    assert inst.temporaries() == []


# --------------------------------------------------------------------------
# Locks and networkctl.
# --------------------------------------------------------------------------

def run_dir(inst: Instance) -> Path:
    return inst.root.path / "run" / "ec2net"


def pending(inst: Instance) -> Path:
    return run_dir(inst) / "reload-pending"


def compact(mac: str) -> str:
    return mac.replace(":", "")


@pytest.fixture
def held(inst):
    """Holds a lock file of ec2net's as another ec2net process would:
    flock(2) on its own open file description, released at the end."""
    fds = []

    def hold(path: Path, mode: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fds.append(fd)
        fcntl.flock(fd, mode | fcntl.LOCK_NB)

    yield hold
    for fd in fds:
        os.close(fd)


# The locks a plug of eth1 takes before it changes anything, and what
# becomes of a reload an earlier run left owed: the reload coordination's
# lock (held exclusively by a process reloading) keeps this run out of the
# coordination altogether, so the reload stays pending for that process or
# the next run; eth1's per-MAC lock (held by a scan or an unplug of that ENI)
# fails only eth1, and the run still performs the owed reload on its way out.
LOCKS = {
    "active.lock": (lambda inst: run_dir(inst) / "active.lock", "stays pending"),
    "per-MAC lock": (lambda inst: run_dir(inst) / f"lock-{compact(mac_of(1))}", "reloaded on the way out"),
}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_a_held_lock_ends_the_plug_at_the_deadline(inst, held, lock):
    """Source: issue 21 ("the deadline does not cover the blocking flock")."""
    path, owed = LOCKS[lock]
    pending(inst).parent.mkdir(parents=True, exist_ok=True)
    pending(inst).write_text("")
    before, reloads = inst.state(), len(inst.networkctl.succeeded())
    held(path(inst), fcntl.LOCK_EX)
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    result = inst.plug(1)
    assert result.returncode == EX_TEMPFAIL, result.stderr
    lines = problem_lines(result)
    assert len(lines) == 1 and "still locked by another ec2net process" in lines[0], result.stderr
    assert inst.state() == before, "the generated tree changed"
    if owed == "stays pending":
        assert len(inst.networkctl.succeeded()) == reloads, "networkd was reloaded"
        assert pending(inst).exists(), "the owed reload stays pending"
    else:
        assert len(inst.networkctl.succeeded()) == reloads + 1, "the owed reload was not performed"
        assert not pending(inst).exists()


def test_a_held_state_lock_ends_the_plug_and_what_it_wrote_is_reloaded(inst, held):
    """The device map's lock (var/lib/ec2net/.interfaces.lock) is taken
    after eth1's file is in place, and the map is advisory (a failed update
    is a warning, as for a read-only /var): at the deadline the map is as it
    was, the warning names the lock, and the file is written and reloaded.
    The run ends; it does not wait for the holder."""
    state_lock = inst.root.state_dir / ".interfaces.lock"
    device_map = (inst.root.state_dir / "interfaces").read_bytes()
    reloads = len(inst.networkctl.succeeded())
    held(state_lock, fcntl.LOCK_EX)
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    result = inst.plug(1)
    assert result.returncode == EX_OK, result.stderr
    assert ".interfaces.lock still locked by another ec2net process" in result.stderr
    assert (inst.root.state_dir / "interfaces").read_bytes() == device_map
    assert "10.1.1.99/32" in inst.generated()[file_of(1)]
    assert len(inst.networkctl.succeeded()) == reloads + 1, "what the run wrote was not reloaded"
    assert not pending(inst).exists()


def test_the_plugs_reload_turn_ends_at_the_deadline_and_stays_pending(inst, held):
    """Another run still works (its shared lock on active.lock): ec2-plug
    writes, then waits for its turn at the reload only until its deadline.
    The reload stays pending; the next run performs it."""
    held(run_dir(inst) / "active.lock", fcntl.LOCK_SH)
    reloads = len(inst.reloads())
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    result = inst.plug(1)
    assert result.returncode == EX_TEMPFAIL, result.stderr
    assert "10.1.1.99/32" in inst.generated()[file_of(1)], "eth1's file was written"
    assert "still locked by another ec2net process" in result.stderr
    assert len(inst.reloads()) == reloads
    assert pending(inst).exists(), "the reload is owed, not lost"


def hanging_networkctl(directory: Path) -> tuple[Path, Path]:
    """A networkctl that records its PID and never exits (networkd hung)."""
    program, pid_file = directory / "hanging-networkctl", directory / "hanging-networkctl.pid"
    program.write_text(textwrap.dedent(f"""\
        #!/usr/bin/env python3
        import os, time
        with open({str(pid_file)!r}, "w") as f:
            f.write(str(os.getpid()))
        while True:
            time.sleep(3600)
        """))
    program.chmod(0o755)
    return program, pid_file


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("program", ["ec2-plug", "ec2-unplug"])
def test_a_hung_networkctl_is_killed_at_the_deadline_and_the_reload_stays_pending(inst, tmp_path, program):
    """Source: issue 21 ("nor waitpid on networkctl"). Both are udev RUN
    programs that reload networkd (ec2-unplug asks IMDS nothing, but a hung
    networkctl would hold it to udev's 180 s kill). The stand-in is started
    by the program's reload; at the deadline the program kills that PID,
    reaps it and fails as a failed reload does; the next run reloads."""
    stand_in, pid_file = hanging_networkctl(tmp_path)
    inst.extra_env["EC2NET_NETWORKCTL"] = str(stand_in)
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    if program == "ec2-unplug":
        inst.remove_device(1)  # udev's remove: the device is gone
    try:
        result = inst.plug(1) if program == "ec2-plug" else inst.unplug(1)
    finally:
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert pid is not None, "networkctl was never started"
    assert result.returncode == EX_OSERR, result.stderr
    assert "reload still running at the run's deadline; killed" in result.stderr
    assert not alive(pid), "the stand-in's PID is gone (killed and reaped)"
    if program == "ec2-plug":
        assert "10.1.1.99/32" in inst.generated()[file_of(1)]
    else:
        assert file_of(1) not in inst.generated(), "eth1's file removed"
    assert pending(inst).exists(), "the marker stays for the next run"

    del inst.extra_env["EC2NET_NETWORKCTL"]
    succeeded = len(inst.networkctl.succeeded())
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK, result.stderr
    assert len(inst.networkctl.succeeded()) == succeeded + 1, "the next run performs the pending reload"
    assert not pending(inst).exists()


def test_the_scan_ends_at_its_deadline_and_removes_nothing(inst):
    """Source: issue 21 ("ec2-ifscan has its own bound below its unit's
    TimeoutStartSec="). A mock IMDS answering every request after 1.5 s
    (within the request timeout) and a 2 s deadline: 75, nothing removed,
    nothing written, no reload."""
    before, reloads = inst.state(), inst.reloads()
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    inst.imds.fault(delay=1.5)
    result = inst.scan("--refresh")
    inst.imds.clear_faults()
    assert result.returncode == EX_TEMPFAIL, result.stderr
    assert "deadline ended it" in result.stderr, result.stderr
    assert inst.state() == before, "the generated tree changed"
    assert inst.reloads() == reloads, "networkd was reloaded"
    for index in (0, 1):
        assert file_of(index) in inst.generated(), f"{iface_of(index)}'s file removed"
