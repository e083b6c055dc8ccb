"""One QEMU guest: the process, its QMP monitor and its guest agent.

QEMU runs inside the test's VPC namespace (so its taps are there and nowhere
else), with software emulation (`-accel tcg`: /dev/kvm on these machines is
PVM, which a stock kernel does not run under), the cached image's kernel and
initrd, and the root file system on a qcow2 overlay of the cached image, so
a test may reboot the same disk and nothing reaches the cache.

The guest is driven through qemu-guest-agent (QGA) on a virtio-serial port:
`guest-exec` starts a program by path with an argv, without a shell, so the
same driver works on a guest whose shells were removed.  NICs are hot-plugged
over QMP (netdev_add + device_add virtio-net-pci, device_del + the
DEVICE_DELETED event).
"""
import base64
import json
import os
import socket
import subprocess
import time

from sim.process import ManagedProcess  # Tests/e2e/sim, on sys.path (conftest)
from sim.wait import wait_until


class Overlay:
    """A qcow2 disk backed by the read-only cached image; survives reboots of one test."""

    def __init__(self, base, path):
        self.path = path
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, path], check=True)


class Nic:
    """A virtio-net-pci device on the guest's PCI bus, backed by a tap in the VPC namespace."""

    def __init__(self, index, mac, slot):
        self.index = index
        self.mac = mac
        self.slot = slot          # PCI slot (addr=): decides the kernel's probe order
        self.tap = f"tap{index}"
        self.netdev = f"net{index}"
        self.device = f"nic{index}"

    def netdev_args(self):
        return {"type": "tap", "id": self.netdev, "ifname": self.tap, "script": "no", "downscript": "no"}

    def device_args(self):
        return {"driver": "virtio-net-pci", "netdev": self.netdev, "mac": self.mac, "id": self.device,
                "bus": "pci.0", "addr": hex(self.slot)}


class JsonSocket:
    """Line-oriented JSON over a unix stream socket."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""

    def send(self, message):
        self.sock.sendall(json.dumps(message).encode() + b"\n")

    def receive(self, timeout):
        """The next JSON object, or None at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            line, sep, rest = self.buffer.partition(b"\n")
            if sep:
                self.buffer = rest
                line = line.strip(b"\xff \r\t")
                if line:
                    try:
                        return json.loads(line)
                    except ValueError:
                        continue  # a partial answer from before a guest reboot
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise ConnectionError("socket closed")
            self.buffer += chunk

    def close(self):
        self.sock.close()


class Qmp:
    def __init__(self, path):
        self.conn = JsonSocket(path)
        self.events = []
        greeting = self.conn.receive(10)
        if not greeting or "QMP" not in greeting:
            raise RuntimeError(f"no QMP greeting: {greeting!r}")
        self.execute("qmp_capabilities")

    def execute(self, command, timeout=30, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.conn.send(message)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.conn.receive(deadline - time.monotonic())
            if reply is None:
                break
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            return reply.get("return")
        raise TimeoutError(f"QMP {command}: no answer within {timeout}s")

    def wait_event(self, name, timeout=60, match=lambda e: True):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event["event"] == name and match(event):
                    return self.events.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"QMP event {name} not seen within {timeout}s")
            reply = self.conn.receive(min(remaining, 1.0))
            if reply and "event" in reply:
                self.events.append(reply)


class ExecResult:
    def __init__(self, argv, status):
        self.argv = argv
        self.returncode = status.get("exitcode", -1 if not status.get("signal") else -status["signal"])
        self.stdout = base64.b64decode(status.get("out-data", "")).decode(errors="replace")
        self.stderr = base64.b64decode(status.get("err-data", "")).decode(errors="replace")

    def __repr__(self):
        return f"<{' '.join(self.argv)}: exit {self.returncode}>"


class GuestCommandFailed(AssertionError):
    pass


class GuestAgent:
    """qemu-guest-agent's protocol: guest-sync-delimited, guest-exec, guest-file-*."""

    def __init__(self, path):
        self.path = path
        self.conn = None
        self.sync_id = int(time.time()) % 100000 * 1000

    def connect(self, timeout=180, alive=lambda: True):
        """Wait until the agent in the guest answers (boot, or after a reboot)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("QEMU exited while waiting for the guest agent")
            try:
                if self.conn is None:
                    self.conn = JsonSocket(self.path)
                if self._sync(3.0):
                    return
            except (OSError, ConnectionError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                time.sleep(0.5)
        raise TimeoutError(f"guest agent did not answer within {timeout}s")

    def _sync(self, timeout):
        self.sync_id += 1
        self.conn.sock.sendall(b"\xff")  # resets the agent's parser (a half message from before)
        self.conn.send({"execute": "guest-sync-delimited", "arguments": {"id": self.sync_id}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.conn.receive(deadline - time.monotonic())
            if reply is None:
                return False
            if reply.get("return") == self.sync_id:
                return True
        return False

    def call(self, command, timeout=60, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.conn.send(message)
        reply = self.conn.receive(timeout)
        if reply is None:
            raise TimeoutError(f"guest agent: {command} not answered within {timeout}s")
        if "error" in reply:
            raise GuestCommandFailed(f"guest agent: {command}: {reply['error']}")
        return reply.get("return")

    def exec(self, argv, timeout=120, input=None, env=None):
        """Run argv[0] (an absolute path) in the guest, no shell; wait for it.

        The agent is restarted once early in boot (udev's coldplug re-adds its
        port) and then forgets the PIDs it started: such a command is started
        again, once, after a re-sync."""
        try:
            return self._exec(argv, timeout, input, env)
        except (GuestCommandFailed, TimeoutError, ConnectionError) as error:
            if isinstance(error, GuestCommandFailed) and "Invalid parameter 'pid'" not in str(error):
                raise
            self.close()
            self.connect(timeout=60)
            return self._exec(argv, timeout, input, env)

    def _exec(self, argv, timeout, input, env):
        arguments = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if input is not None:
            arguments["input-data"] = base64.b64encode(input.encode()).decode()
        if env is not None:
            arguments["env"] = [f"{k}={v}" for k, v in env.items()]
        pid = self.call("guest-exec", **arguments)["pid"]
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            status = self.call("guest-exec-status", pid=pid)
            if status.get("exited"):
                return ExecResult(list(argv), status)
            if time.monotonic() > deadline:
                raise TimeoutError(f"guest: {' '.join(argv)} still running after {timeout}s")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def write_file(self, path, data, mode="w"):
        if isinstance(data, str):
            data = data.encode()
        handle = self.call("guest-file-open", path=path, mode=mode + "b" if "b" not in mode else mode)
        try:
            for offset in range(0, max(len(data), 1), 256 * 1024):
                chunk = data[offset:offset + 256 * 1024]
                if chunk:
                    self.call("guest-file-write", handle=handle, **{"buf-b64": base64.b64encode(chunk).decode()})
        finally:
            self.call("guest-file-close", handle=handle)

    def read_file(self, path):
        handle = self.call("guest-file-open", path=path, mode="rb")
        data = b""
        try:
            while True:
                reply = self.call("guest-file-read", handle=handle, count=4 * 1024 * 1024)
                data += base64.b64decode(reply.get("buf-b64", ""))
                if reply.get("eof") or not reply.get("count"):
                    break
        finally:
            self.call("guest-file-close", handle=handle)
        return data.decode(errors="replace")

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class Qemu:
    """The guest machine.  start() boots it; stop() ends QEMU by its PID."""

    def __init__(self, vpc, image, disk, nics, append="", memory=1024, cpus=2, name="qemu"):
        self.vpc = vpc
        self.image = image
        self.disk = disk
        self.nics = {nic.device: nic for nic in nics}
        self.append = append
        self.memory = memory
        self.cpus = cpus
        self.name = name
        run_dir = vpc.run_dir
        self.qmp_path = os.path.join(run_dir, f"{name}.qmp")
        self.qga_path = os.path.join(run_dir, f"{name}.qga")
        self.console_path = os.path.join(run_dir, "logs", f"{name}-console.log")
        self.process = None
        self.qmp = None
        self.agent = GuestAgent(self.qga_path)

    def argv(self):
        cmdline = f"console=ttyS0 root=/dev/vda rw panic=-1 {self.append}".strip()
        argv = ["qemu-system-x86_64", "-name", self.name, "-accel", "tcg,thread=multi", "-machine", "pc",
                "-m", str(self.memory), "-smp", str(self.cpus), "-nodefaults", "-display", "none",
                "-kernel", self.image["kernel"], "-initrd", self.image["initrd"], "-append", cmdline,
                "-drive", f"file={self.disk.path},if=virtio,format=qcow2,cache=unsafe,discard=unmap",
                "-serial", f"file:{self.console_path}",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-chardev", f"socket,path={self.qga_path},server=on,wait=off,id=qga0",
                "-device", "virtio-serial-pci,addr=0x1f",
                "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"]
        for nic in self.nics.values():
            n, d = nic.netdev_args(), nic.device_args()
            argv += ["-netdev", ",".join(f"{k}={v}" for k, v in n.items()),
                     "-device", d.pop("driver") + "," + ",".join(f"{k}={v}" for k, v in d.items())]
        return argv

    def add_tap(self, nic):
        self.vpc.run(["ip", "tuntap", "add", "dev", nic.tap, "mode", "tap"])
        self.vpc.run(["ip", "link", "set", nic.tap, "master", "br-a", "up"])

    def start(self, boot_timeout=240):
        os.makedirs(os.path.dirname(self.console_path), exist_ok=True)
        for nic in self.nics.values():
            self.add_tap(nic)
        self.process = self.vpc.spawn(self.name, self.argv())
        wait_until(lambda: os.path.exists(self.qmp_path) or self.process.check_running(), timeout=30,
                   what="QMP socket")
        self.qmp = Qmp(self.qmp_path)
        self.started_at = time.monotonic()
        self.agent.connect(timeout=boot_timeout, alive=self.process.running)
        return self

    # --- the guest -------------------------------------------------------------------
    def exec(self, *argv, check=True, timeout=120, input=None):
        result = self.agent.exec(argv, timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise GuestCommandFailed(f"guest: {' '.join(argv)} -> exit {result.returncode}\n"
                                     f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def write(self, path, content, mode="0644"):
        """A file in the guest (guest-file-open creates it 0666: set the mode)."""
        self.exec("/usr/bin/mkdir", "-p", os.path.dirname(path))
        self.agent.write_file(path, content)
        self.exec("/usr/bin/chmod", mode, path)

    def read(self, path):
        return self.agent.read_file(path)

    def reboot(self, timeout=240):
        """`systemctl reboot` in the guest; returns when its agent answers again."""
        self.qmp.events.clear()
        # Not waited for: the agent itself is stopped on the way down.
        self.agent.call("guest-exec", path="/usr/bin/systemctl", arg=["reboot"])
        self.qmp.wait_event("RESET", timeout=timeout)
        self.agent.close()
        self.agent.connect(timeout=timeout, alive=self.process.running)

    # --- NICs over QMP ---------------------------------------------------------------
    def hotplug(self, nic):
        self.add_tap(nic)
        self.qmp.execute("netdev_add", **nic.netdev_args())
        self.qmp.execute("device_add", **nic.device_args())
        self.nics[nic.device] = nic

    def unplug(self, nic, timeout=60):
        self.qmp.events.clear()
        self.qmp.execute("device_del", id=nic.device)
        self.qmp.wait_event("DEVICE_DELETED", timeout=timeout,
                            match=lambda e: e.get("data", {}).get("device") == nic.device)
        self.qmp.execute("netdev_del", id=nic.netdev)
        self.vpc.run(["ip", "link", "del", nic.tap], check=False)
        del self.nics[nic.device]

    def stop(self):
        """Power off if it still answers, else end QEMU by its PID."""
        self.agent.close()
        if self.process and self.process.running() and self.qmp:
            try:
                self.qmp.execute("quit", timeout=5)
            except Exception:
                pass
        if self.process:
            self.process.stop(grace=5)
        if self.qmp:
            self.qmp.conn.close()
