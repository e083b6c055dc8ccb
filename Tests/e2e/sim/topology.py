"""What the simulated VPC contains: subnets and ENIs, as plain values.

These describe the scenario; vpc.py and instance.py make them real, and
imds_interface() is what the mock IMDS publishes for an ENI.
"""
import ipaddress
from dataclasses import dataclass, field


# What EC2's DHCPv4 server does in an IPv6-only subnet: it still answers,
# with a link-local lease (seen as 169.254.0.x/16) and router 169.254.0.1.
# That lease is the instance's IPv4 path to 169.254.169.254.  Sources:
# amazon-ec2-net-utils #40 ("DHCPNAK from 169.254.0.1" on such an ENI),
# NixOS/amis #110 ("gets a DHCPv4 lease on 169.xxxx and can reach the IMDS
# over IPv4 even in an ipv6-only subnet"), upstream's subnet_supports_ipv4;
# shared/imds-reference.md.
IPV6_ONLY_DHCP4_ROUTER = "169.254.0.1"
IPV6_ONLY_DHCP4_PREFIXLEN = 16
IPV6_ONLY_DHCP4_RANGE = ("169.254.0.10", "169.254.0.250")

# What EC2's DHCPv4 sends by default, besides the lease and the router.
# AWS, VPC User Guide, "DHCP option sets in Amazon VPC" (the default option
# set): domain-name-servers AmazonProvidedDNS, the Route 53 Resolver "at the
# base of the VPC IPv4 network range plus two"; domain-name "ec2.internal"
# in us-east-1, "region.compute.internal" in other Regions.  AWS, EC2 User
# Guide, "Network maximum transmission unit (MTU) for your EC2 instance":
# current-generation instances support jumbo frames (9001 MTU) inside the
# VPC, and the DHCP server announces the MTU (option 26); ENA devices come
# up at 9001.
EC2_MTU = 9001
DEFAULT_REGION = "us-east-1"   # the mock IMDS's hostnames end in .ec2.internal


def search_domain(region):
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


@dataclass
class Subnet:
    name: str                      # short; the bridge is br-<name>
    ipv4_cidr: str | None = "10.0.0.0/24"
    # e.g. "fd00:ec2:0:1::/64" (a ULA: stays inside the namespaces). Its router
    # offers IPv6 as EC2's does: RA with the managed flag, every address by
    # DHCPv6 (sim/router6.py).
    ipv6_cidr: str | None = None
    vpc_ipv4_cidr: str = "10.0.0.0/16"
    mtu: int | None = EC2_MTU      # DHCP option 26 as EC2 sends it; None: not sent
    region: str = DEFAULT_REGION   # the DHCP search domain follows it

    @property
    def dns_server(self):
        """AmazonProvidedDNS: the VPC's IPv4 base address plus two."""
        return str(ipaddress.ip_network(self.vpc_ipv4_cidr).network_address + 2)

    @property
    def domain(self):
        return search_domain(self.region)

    @property
    def bridge(self):
        return f"br-{self.name}"

    @property
    def ipv4_gateway(self):
        """The VPC router's address: the first host of the subnet, as on EC2."""
        return str(next(ipaddress.ip_network(self.ipv4_cidr).hosts())) if self.ipv4_cidr else None

    @property
    def ipv6_only(self):
        return self.ipv4_cidr is None

    @property
    def ipv4_prefixlen(self):
        return ipaddress.ip_network(self.ipv4_cidr).prefixlen

    @property
    def ipv6_gateway(self):
        return str(next(ipaddress.ip_network(self.ipv6_cidr).hosts())) if self.ipv6_cidr else None


@dataclass
class Eni:
    mac: str
    subnet: Subnet
    device_number: int
    kernel_name: str                     # the name the kernel gives it in the instance
    ipv4: list = field(default_factory=list)   # primary first
    ipv6: list = field(default_factory=list)
    ipv4_prefixes: list = field(default_factory=list)
    ipv6_prefixes: list = field(default_factory=list)
    network_card: int = 0
    eni_id: str | None = None
    kernel_mtu: int | None = EC2_MTU     # the device's MTU as created, both veth ends (ENA: 9001); None: 1500
    peer: str | None = None              # the vpc-side veth end, set when attached

    @property
    def route_table(self):
        """The policy routing table ec2net uses for a secondary ENI."""
        return 10000 + 100 * self.network_card + self.device_number

    @property
    def route_metric(self):
        return 512 + 100 * self.network_card + self.device_number

    def imds_interface(self, publish_network_card=False, extra=None):
        """This ENI in the mock IMDS scenario format (Tests/support/mock_imds.py)."""
        entry = {"mac": self.mac, "device-number": self.device_number}
        if publish_network_card:  # single-card instance types answer 404
            entry["network-card"] = self.network_card
        if self.eni_id:
            entry["interface-id"] = self.eni_id
        if self.subnet.ipv4_cidr:
            entry["subnet-ipv4-cidr-block"] = self.subnet.ipv4_cidr
            entry["vpc-ipv4-cidr-block"] = self.subnet.vpc_ipv4_cidr
        if self.subnet.ipv6_cidr:
            entry["subnet-ipv6-cidr-blocks"] = [self.subnet.ipv6_cidr]
        for key, values in [("local-ipv4s", self.ipv4), ("ipv6s", self.ipv6),
                            ("ipv4-prefix", self.ipv4_prefixes), ("ipv6-prefix", self.ipv6_prefixes)]:
            if values:
                entry[key] = list(values)
        entry.update(extra or {})
        return entry
