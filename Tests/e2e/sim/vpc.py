"""The VPC side: one network namespace holding what AWS runs for the instance.

Per subnet a bridge carrying the VPC router's address (the subnet's first
host, the DHCP default gateway); dnsmasq for DHCP and router advertisements;
169.254.169.254 on the namespace's loopback for the mock IMDS, reached from
the instance through its default gateway as on EC2.  Each ENI is a veth pair
whose vpc end is a port of its subnet's bridge.
"""
import itertools

from .dnsmasq import Dnsmasq
from .namespace import NetworkNamespace
from .process import ManagedProcess
from .router6 import Router6
from .srcdst import SourceDestCheck
from .topology import IPV6_ONLY_DHCP4_PREFIXLEN, IPV6_ONLY_DHCP4_ROUTER

IMDS_IPV4 = "169.254.169.254"
IMDS_IPV6 = "fd00:ec2::254"
# Another host in the VPC (as another instance or an endpoint would be): on the
# vpc namespace's loopback, outside every subnet, so the instance reaches it
# through a gateway by the route its source address selects.
VPC_HOST_IPV4 = "10.0.200.10"
VPC_HOST_IPV6 = "fd00:ec2:0:ff::10"


class Vpc:
    def __init__(self, run_id, run_dir, netns_dir, netns_name, verbose=False, imds_ipv6=False):
        self.run_id = run_id
        self.run_dir = run_dir
        self.netns = NetworkNamespace.create(netns_name, netns_dir)
        self.subnets = {}
        self.processes = []
        self.dhcp = Dnsmasq(self, verbose)
        self.router6 = Router6(self)
        self._veth_numbers = itertools.count()
        self.source_dest_check = SourceDestCheck(self.netns)
        # The vpc is a router: it answers on every subnet's gateway address.
        self.run(["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"])
        self.run(["ip", "addr", "add", f"{IMDS_IPV4}/32", "dev", "lo"])
        self.run(["ip", "addr", "add", f"{VPC_HOST_IPV4}/32", "dev", "lo"])
        self.run(["ip", "addr", "add", f"{VPC_HOST_IPV6}/128", "dev", "lo", "nodad"])
        # The IPv6 endpoint answers only when the instance's metadata options
        # enable it (HttpProtocolIpv6, disabled by default on EC2).
        self.imds_ipv6 = imds_ipv6
        if imds_ipv6:
            self.run(["ip", "addr", "add", f"{IMDS_IPV6}/128", "dev", "lo", "nodad"])

    def run(self, argv, check=True, timeout=60):
        return self.netns.run(argv, check=check, timeout=timeout)

    def spawn(self, name, argv, env=None):
        process = ManagedProcess(name, self.netns.command(argv), self.run_dir, self.run_id, env)
        self.processes.append(process)
        return process.start()

    def add_subnet(self, subnet):
        self.subnets[subnet.name] = subnet
        # A fixed MAC, as EC2's router has: a bridge without one takes the
        # lowest MAC of its ports, so a hot-plugged ENI's veth could change
        # the router's MAC under the instance's ARP cache (its traffic to
        # the gateway and to IMDS would vanish until the entry goes stale).
        router_mac = f"02:ec:20:00:00:{len(self.subnets):02x}"
        self.run(["ip", "link", "add", subnet.bridge, "address", router_mac, "type", "bridge", "forward_delay", "0"])
        # No IPv6 DAD on the router address: RAs and replies must not wait for it.
        self.run(["sysctl", "-qw", f"net.ipv6.conf.{subnet.bridge}.accept_dad=0"])
        if subnet.ipv4_cidr:
            self.run(["ip", "addr", "add", f"{subnet.ipv4_gateway}/{subnet.ipv4_prefixlen}", "dev", subnet.bridge])
        else:
            # EC2's DHCPv4 in an IPv6-only subnet (topology.py): the router is
            # 169.254.0.1, and the mock IMDS is reached through it.  One
            # 169.254.0.0/16 per vpc namespace, so one IPv6-only subnet.
            if any(s.ipv6_only for s in self.subnets.values() if s is not subnet):
                raise ValueError("the simulation has room for one IPv6-only subnet (Tests/e2e/README.md)")
            self.run(["ip", "addr", "add", f"{IPV6_ONLY_DHCP4_ROUTER}/{IPV6_ONLY_DHCP4_PREFIXLEN}",
                      "dev", subnet.bridge])
        if subnet.ipv6_cidr:
            prefixlen = subnet.ipv6_cidr.split("/")[1]
            self.run(["ip", "addr", "add", f"{subnet.ipv6_gateway}/{prefixlen}", "dev", subnet.bridge, "nodad"])
        self.run(["ip", "link", "set", subnet.bridge, "up"])
        return subnet

    def start_dhcp(self):
        self.dhcp.start(list(self.subnets.values()))
        self.router6.start(list(self.subnets.values()))

    def assigned(self, mac, key, values):
        """IMDS now lists `values` under `key` for this ENI: what EC2 lets it
        send (the source/destination check) and, for `ipv6s`, what its DHCPv6
        hands out."""
        self.source_dest_check.assigned(mac, key, values)
        if key == "ipv6s":
            self.router6.assigned(mac, values.split() if isinstance(values, str) else values)

    def plug(self, eni, instance_netns):
        """Create the ENI's veth pair; its instance end appears in the instance.

        The pair is made here (never in the host's namespace) with the
        instance end already carrying its kernel name and the ENI's MAC, then
        moved: the instance's udevd sees one `add` for the final device.  (A
        move combined with a rename would give `add` under the old name, then
        `move`; udev's driver lookup for the `add` then fails on the vanished
        name and the ENI would be skipped, which no real ENI ever does.)
        """
        self.dhcp.add_fixed_lease(eni.mac, eni.ipv4[0] if eni.ipv4 else None)
        self.router6.plugged(eni.mac, eni.ipv6)
        eni.peer = f"eni{next(self._veth_numbers)}"
        mtu = ["mtu", str(eni.kernel_mtu)] if eni.kernel_mtu else []
        self.run(["ip", "link", "add", eni.peer, *mtu, "type", "veth", "peer", "name", eni.kernel_name,
                  "address", eni.mac, *mtu])
        self.source_dest_check.plug(eni)  # before the port forwards its first frame
        self.run(["ip", "link", "set", eni.peer, "master", eni.subnet.bridge, "up"])
        self.run(["ip", "link", "set", eni.kernel_name, "netns", instance_netns.path])

    def unplug(self, eni):
        """Detach: deleting the vpc end destroys the pair (and the instance's link)."""
        self.run(["ip", "link", "del", eni.peer])
        self.source_dest_check.unplug(eni)

    def packet_counters(self, peer):
        """Packets the instance sent through this ENI: the vpc end's rx counter."""
        (link,) = self.netns.ip_json("-s", "link", "show", "dev", peer)
        return link["stats64"]["rx"]["packets"]

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        self.netns.delete()
