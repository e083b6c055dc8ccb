"""The VPC router's IPv6 side in the vpc namespace: Tests/support/vpc_router6.py.

Router advertisements (managed flag, the subnet's prefix on-link) and DHCPv6
that hands each ENI every IPv6 address EC2 has assigned to it (the daemon's
docstring names the sources).  What an ENI holds is kept here and written to
the daemon's address file on every change: the ENI's addresses when it is
plugged, then whatever the mock IMDS is told (`ipv6s`), as IMDS shows what
is assigned.
"""
import json
import os
import sys

from .process import wait_for_path

SUPPORT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
DAEMON = os.path.join(SUPPORT_DIR, "vpc_router6.py")


class Router6:
    def __init__(self, vpc):
        self.vpc = vpc
        self.addresses_file = os.path.join(vpc.run_dir, "router6-addresses.json")
        self.ready_file = os.path.join(vpc.run_dir, "router6.ready")
        self.assigned_ipv6 = {}  # mac -> [ipv6]
        self.process = None
        self._write()

    def start(self, subnets):
        specs = [f"{s.bridge}={s.ipv6_cidr}" for s in subnets if s.ipv6_cidr]
        if not specs:
            return
        argv = [sys.executable, DAEMON, "--addresses", self.addresses_file, "--ready-file", self.ready_file]
        for spec in specs:
            argv += ["--subnet", spec]
        self.process = self.vpc.spawn("router6", argv)
        wait_for_path(self.ready_file, self.process)

    def plugged(self, mac, addresses):
        """The ENI's own addresses, unless IMDS already said (sim/srcdst.py does the same)."""
        self.assigned_ipv6.setdefault(mac.lower(), list(addresses or []))
        self._write()

    def assigned(self, mac, addresses):
        """EC2 now assigns `addresses` (IMDS `ipv6s`) to this ENI; None or []: none."""
        self.assigned_ipv6[mac.lower()] = list(addresses or [])
        self._write()

    def _write(self):
        # Atomic: the daemon reads the file for every request.
        temporary = self.addresses_file + ".tmp"
        with open(temporary, "w") as f:
            json.dump(self.assigned_ipv6, f)
        os.replace(temporary, self.addresses_file)
