"""Daemons started by the harness, each stopped by its own PID.

Every process gets its own log file in the run directory and is recorded in
`<run dir>/pids` with the run id in its environment (EC2NET_E2E_RUN), so
cleanup.py can stop leftovers of a killed run without ever signalling a
process that merely reuses the PID.
"""
import os
import signal
import subprocess
import time

RUN_ID_ENV = "EC2NET_E2E_RUN"
BASE_DIR = os.environ.get("EC2NET_E2E_DIR", "/tmp/ec2net-e2e")  # each run's directory is below it


class ManagedProcess:
    def __init__(self, name, argv, run_dir, run_id, env=None):
        self.name = name
        self.argv = list(argv)
        self.run_dir = run_dir
        self.run_id = run_id
        self.env = dict(os.environ if env is None else env)
        self.env[RUN_ID_ENV] = run_id
        self.log_path = os.path.join(run_dir, "logs", f"{name}.log")
        self.popen = None

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def start(self):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        with open(self.log_path, "ab") as log:
            # A new session: a Ctrl-C on the terminal reaches pytest, which
            # then stops the daemons in order, instead of killing them mid-test.
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True)
        with open(os.path.join(self.run_dir, "pids"), "a") as pids:
            pids.write(f"{self.popen.pid} {self.name}\n")
        return self

    def running(self):
        return self.popen is not None and self.popen.poll() is None

    def check_running(self):
        if not self.running():
            raise RuntimeError(f"{self.name} exited early (status {self.popen.returncode}); "
                               f"log {self.log_path}:\n{self.log_tail()}")

    def stop(self, grace=5.0):
        """SIGTERM, then SIGKILL if it has not exited within `grace` seconds."""
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=grace)
        except ProcessLookupError:
            pass

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])


def wait_for_path(path, process, timeout=10.0):
    """Wait until a daemon has created `path` (its socket or pid file)."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        process.check_running()
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{process.name} did not create {path} within {timeout}s:\n"
                               f"{process.log_tail()}")
        time.sleep(0.05)
