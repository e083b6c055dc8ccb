"""The mock IMDS (Tests/support/mock_imds.py) running inside the vpc namespace.

It listens on 169.254.169.254:80 there (and on [fd00:ec2::254]:80 when the
scenario enables the IPv6 endpoint), so the instance reaches it through its
default gateway exactly as on EC2.  The test process talks to its
/_control/ API over a socket created inside the vpc namespace: nothing
listens anywhere the host could reach.
"""
import http.client
import json
import os
import socket
import sys

from .srcdst import ADDRESS_KEYS
from .wait import wait_until

from mock_imds import ControlClient  # Tests/support: pytest.ini's pythonpath (demo.py: its own)

SUPPORT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
MOCK_SCRIPT = os.path.join(SUPPORT_DIR, "mock_imds.py")


class _NamespacedConnection(http.client.HTTPConnection):
    """An HTTPConnection whose socket lives in a given network namespace."""

    def __init__(self, netns, host, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self.netns = netns

    def connect(self):
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self.sock = self.netns.socket(family)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


class MockImds(ControlClient):
    """The mock process in the vpc namespace; its control API is inherited,
    over connections opened inside that namespace."""

    def __init__(self, vpc, hosts, port=80):
        if isinstance(hosts, str):
            hosts = [hosts]
        host = hosts[0]  # the control API is reached on the first
        super().__init__(f"http://{host}:{port}")
        self.vpc = vpc
        self.host = host
        self.hosts = hosts
        self.port = port
        self.process = None
        self.scenario_path = os.path.join(vpc.run_dir, "imds-scenario.json")
        self.request_log = os.path.join(vpc.run_dir, "imds-requests.jsonl")

    def start(self, scenario):
        with open(self.scenario_path, "w") as f:
            json.dump(scenario, f, indent=2)
        listen = [arg for h in self.hosts for arg in ("--listen", f"[{h}]:{self.port}" if ":" in h else f"{h}:{self.port}")]
        self.process = self.vpc.spawn("mock-imds", [
            sys.executable, MOCK_SCRIPT, *listen,
            "--scenario", self.scenario_path, "--log-file", self.request_log])

        def answers():
            self.process.check_running()
            return self.call("GET", "stats") is not None
        wait_until(answers, timeout=15, what="mock IMDS answers in the vpc namespace")

    def connection(self):
        return _NamespacedConnection(self.vpc.netns, self.host, self.port, self.timeout)

    # What IMDS lists as assigned is what EC2 lets the ENI send (sim/srcdst.py)
    # and what its DHCPv6 hands out (sim/router6.py): every change goes there too.
    def attach(self, interface):
        super().attach(interface)
        for key in ADDRESS_KEYS:
            self.vpc.assigned(interface["mac"], key, interface.get(key))

    def set(self, mac, key, value):
        super().set(mac, key, value)
        if mac is not None:
            self.vpc.assigned(mac, key, value)

    def stop(self):
        if self.process:
            self.process.stop()
