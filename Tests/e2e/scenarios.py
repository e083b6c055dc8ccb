"""Topologies shared by the tests."""
from sim.topology import Eni, Subnet


def one_subnet():
    return Subnet("a", "10.0.0.0/24")


def two_enis_same_subnet(subnet):
    """The primary (10.0.0.10, device 0) and a secondary (10.0.0.20, device 1).

    The kernel names are deliberately not the EC2 ones: ec2net must find the
    ENIs by MAC, not by name.
    """
    primary = Eni("02:00:00:00:00:10", subnet, device_number=0, kernel_name="eth1", ipv4=["10.0.0.10"],
                  eni_id="eni-0000000000000a010")
    secondary = Eni("02:00:00:00:00:20", subnet, device_number=1, kernel_name="eth2", ipv4=["10.0.0.20"],
                    eni_id="eni-0000000000000a020")
    return primary, secondary
