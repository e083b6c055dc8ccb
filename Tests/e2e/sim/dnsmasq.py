"""The VPC's DHCPv4 server: one dnsmasq in the vpc namespace.

IPv6 (router advertisements and DHCPv6) is sim/router6.py's: dnsmasq hands a
client one IPv6 address per DUID, where EC2 hands an ENI all of its own.

Leases are fixed (the ENI's primary private IPv4 by MAC), as on EC2.  The
fixed leases live in a hosts file that dnsmasq re-reads on SIGHUP, so an ENI
hot-plugged later gets its lease without restarting dnsmasq.  DNS is off
(--port=0): nothing in these tests resolves names, but the options name the
resolver, search domain and MTU as EC2's default option set does
(topology.py).
"""
import ipaddress
import os
import signal

from .process import ManagedProcess, wait_for_path
from .topology import IPV6_ONLY_DHCP4_PREFIXLEN, IPV6_ONLY_DHCP4_RANGE, IPV6_ONLY_DHCP4_ROUTER


class Dnsmasq:
    def __init__(self, vpc, verbose=False):
        self.vpc = vpc
        self.verbose = verbose  # --log-dhcp: every option of every exchange
        self.hosts_file = os.path.join(vpc.run_dir, "dnsmasq.dhcp-hosts")
        self.pid_file = os.path.join(vpc.run_dir, "dnsmasq.pid")
        self.lease_file = os.path.join(vpc.run_dir, "dnsmasq.leases")
        self.process = None
        # Seconds dnsmasq holds each DHCPOFFER (--dhcp-reply-delay): keeps a
        # link in DHCP long enough for a test to land a reload there.
        self.reply_delay = 0
        open(self.hosts_file, "w").close()

    def argv(self, subnets):
        argv = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--user=root", "--group=root", "--no-hosts", "--no-resolv", "--bind-interfaces",
                "--log-facility=-", "--dhcp-authoritative",
                f"--pid-file={self.pid_file}", f"--dhcp-leasefile={self.lease_file}",
                f"--dhcp-hostsfile={self.hosts_file}"]
        if self.verbose:
            argv.append("--log-dhcp")
        if self.reply_delay:
            argv.append(f"--dhcp-reply-delay={self.reply_delay}")
        for subnet in subnets:
            argv.append(f"--interface={subnet.bridge}")
            if subnet.ipv4_cidr:
                network = subnet.ipv4_cidr.split("/")[0]
                netmask = str(ipaddress.ip_network(subnet.ipv4_cidr).netmask)
                argv.append(f"--dhcp-range=set:{subnet.name},{network},static,{netmask},1h")
                argv.append(f"--dhcp-option=tag:{subnet.name},option:router,{subnet.ipv4_gateway}")
                argv.append(f"--dhcp-option=tag:{subnet.name},option:dns-server,{subnet.dns_server}")
                argv.append(f"--dhcp-option=tag:{subnet.name},option:domain-name,{subnet.domain}")
                if subnet.mtu:
                    argv.append(f"--dhcp-option=tag:{subnet.name},option:mtu,{subnet.mtu}")
            else:
                # EC2 answers DHCPv4 in an IPv6-only subnet too, with a
                # link-local lease and router 169.254.0.1 (topology.py).
                netmask = str(ipaddress.ip_network(f"0.0.0.0/{IPV6_ONLY_DHCP4_PREFIXLEN}").netmask)
                first, last = IPV6_ONLY_DHCP4_RANGE
                argv.append(f"--dhcp-range=set:{subnet.name},{first},{last},{netmask},1h")
                argv.append(f"--dhcp-option=tag:{subnet.name},option:router,{IPV6_ONLY_DHCP4_ROUTER}")
        return argv

    def start(self, subnets):
        self.process = self.vpc.spawn("dnsmasq", self.argv(subnets))
        wait_for_path(self.pid_file, self.process)

    def add_fixed_lease(self, mac, ipv4=None):
        """Give `mac` its IPv4 lease; takes effect at once (SIGHUP re-reads the file)."""
        fields = [mac] + ([ipv4] if ipv4 else [])
        with open(self.hosts_file, "a") as f:
            f.write(",".join(fields) + "\n")
        if self.process and self.process.running():
            os.kill(self.process.pid, signal.SIGHUP)

    def stop(self):
        if self.process:
            self.process.stop()
