#!/usr/bin/env python3
"""Remove what killed e2e runs left behind.

    python3 Tests/e2e/cleanup.py          # runs whose pytest process is gone
    python3 Tests/e2e/cleanup.py --all    # every run, even live ones

A run lives in /tmp/ec2net-e2e/ec2net-<pid>-<n> (EC2NET_E2E_DIR overrides the
base).  For each: stop the processes listed in its `pids` file — only those
whose environment still carries EC2NET_E2E_RUN=<run id>, so a reused PID is
never signalled — then unmount its namespace files (the kernel then deletes
the namespaces and every veth in them) and remove the directory.  Nothing
of a run ever lives in the host's network namespace, /run or /etc.
"""
import argparse
import os
import shutil
import signal
import sys
import time

# Run by path, this directory is first on sys.path (the `sim` package is
# found); under pytest, pytest.ini's pythonpath. Nothing here needs Tests/support.
from sim import linux
from sim.process import BASE_DIR, RUN_ID_ENV


def _belongs_to(pid, run_id):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f"{RUN_ID_ENV}={run_id}".encode() in f.read().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def _pid_alive(pid):
    """True for a running process; a zombie (killed, not yet reaped) is dead."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def stop_run_processes(run_dir, run_id, grace=5.0):
    try:
        with open(os.path.join(run_dir, "pids")) as f:
            pids = [int(line.split()[0]) for line in f if line.strip()]
    except FileNotFoundError:
        return []
    ours = [pid for pid in reversed(pids) if _belongs_to(pid, run_id)]
    for pid in ours:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_belongs_to(pid, run_id) for pid in ours) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in ours:
        if _belongs_to(pid, run_id):
            os.kill(pid, signal.SIGKILL)
    return ours


def unmount_under(directory):
    """Unmount every mount point below `directory` (namespace files), deepest first."""
    prefix = directory.rstrip("/") + "/"
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        try:
            linux.umount(point)
        except OSError as error:
            print(f"cannot unmount {point}: {error}", file=sys.stderr)


def owner_pid(run_id):
    try:
        return int(run_id.split("-")[1])  # ec2net-<pid>-<n>
    except (IndexError, ValueError):
        return None


def clean(base_dir=BASE_DIR, everything=False, verbose=True):
    if not os.path.isdir(base_dir):
        return []
    cleaned = []
    for run_id in sorted(os.listdir(base_dir)):
        run_dir = os.path.join(base_dir, run_id)
        if not run_id.startswith("ec2net-"):
            continue
        owner = owner_pid(run_id)
        if not everything and owner is not None and owner != os.getpid() and _pid_alive(owner):
            continue  # a suite still running
        stopped = stop_run_processes(run_dir, run_id)
        unmount_under(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
        cleaned.append(run_id)
        if verbose:
            print(f"removed {run_id} (stopped {len(stopped)} processes)")
    return cleaned


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also runs whose pytest is still alive")
    parser.add_argument("--base-dir", default=BASE_DIR)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("cleanup.py must run as root")
    clean(args.base_dir, everything=args.all)


if __name__ == "__main__":
    main()
