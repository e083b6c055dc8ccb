"""Network namespaces bound to files in the run directory.

`ip netns add` would create /run/netns on the host; instead each namespace is
made with `unshare --net=FILE`, which bind-mounts the namespace onto a file
of ours.  Commands enter it with `nsenter --net=FILE`, and `ip link set ...
netns FILE` accepts the path (iproute2 treats a name containing '/' as a path).
Deleting = unmounting the file: once no process is left inside, the kernel
destroys the namespace and every veth end in it.
"""
import json
import os
import socket
import subprocess
import threading

from . import linux


class CommandFailed(AssertionError):
    pass


def run_command(argv, check=True, timeout=60, env=None, input=None):
    """Run argv, return CompletedProcess(text); on failure raise with its output."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, input=input)
    if check and result.returncode != 0:
        raise CommandFailed(f"{' '.join(argv)} -> exit {result.returncode}\n"
                            f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


class NetworkNamespace:
    def __init__(self, name, path):
        self.name = name
        self.path = path

    @classmethod
    def create(cls, name, directory):
        path = os.path.join(directory, name)
        open(path, "w").close()
        run_command(["unshare", f"--net={path}", "true"])
        namespace = cls(name, path)
        namespace.run(["ip", "link", "set", "lo", "up"])
        return namespace

    def command(self, argv):
        """argv prefixed so that it runs inside this namespace."""
        return ["nsenter", f"--net={self.path}", "--"] + list(argv)

    def run(self, argv, check=True, timeout=60, env=None, input=None):
        return run_command(self.command(argv), check=check, timeout=timeout, env=env, input=input)

    def ip_json(self, *args):
        out = self.run(["ip", "-j"] + list(args)).stdout.strip()
        return json.loads(out) if out else []

    def socket(self, family=socket.AF_INET, type=socket.SOCK_STREAM):
        """A socket created inside this namespace, usable from the test process.

        setns(CLONE_NEWNET) only moves the calling thread, so a throwaway
        thread enters the namespace and creates the socket; the socket stays
        bound to the namespace it was created in.
        """
        box = {}

        def make():
            try:
                with open(self.path) as ns:
                    linux.setns(ns.fileno(), linux.CLONE_NEWNET)
                box["socket"] = socket.socket(family, type)
            except BaseException as error:
                box["error"] = error

        thread = threading.Thread(target=make, name=f"setns-{self.name}")
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["socket"]

    def delete(self):
        if os.path.exists(self.path):
            try:
                linux.umount(self.path)
            except OSError:
                pass  # already unmounted (cleanup after a crash)
            os.unlink(self.path)
