"""The simulated instance itself works, with or without the ec2net binaries.

These pin down what every scenario relies on: DHCP through the base config,
udev events in the instance's namespace, networkctl on the private bus, IMDS
through the default gateway, per-ENI packet counting, and a host left alone.
"""
import os
import subprocess

from scenarios import one_subnet, two_enis_same_subnet
from sim.topology import Eni
from sim.wait import wait_until

IMDS_TOKEN_REQUEST = (
    "import urllib.request as u;"
    "r=u.Request('http://169.254.169.254/latest/api/token',method='PUT',"
    "headers={'X-aws-ec2-metadata-token-ttl-seconds':'60'});"
    "print(u.urlopen(r,timeout=5).status)")


def boot_two(sim, **kwargs):
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    sim.boot([primary, secondary], **kwargs)
    return primary, secondary


def configured(sim, eni):
    name = wait_until(lambda: sim.instance.ifname_of(eni.mac), what=f"link with MAC {eni.mac}")
    sim.instance.networkd.wait_configured(name)
    return name


def test_base_config_gets_dhcp_leases_on_both_enis(sim):
    primary, secondary = boot_two(sim)
    for eni in (primary, secondary):
        name = configured(sim, eni)
        assert f"{eni.ipv4[0]}/24" in sim.instance.addrs(name, "-4")
        assert "80-ec2.network" in sim.instance.networkd.status(name)


def test_udev_in_the_instance_sees_hotplug_and_applies_project_rules(sim):
    (primary, _) = boot_two(sim)
    configured(sim, primary)
    third = Eni("02:00:00:00:00:30", sim.vpc.subnets["a"], device_number=2, kernel_name="eth3",
                ipv4=["10.0.0.30"])
    sim.hotplug(third)
    # No trigger: the kernel's `add` for a device moved into the namespace
    # reaches the udevd running there.  networkd only configures links udev
    # has initialized, so a DHCP lease proves the event was processed.
    name = configured(sim, third)
    assert sim.instance.udevd.device_properties(name)["ID_NET_DRIVER"] == "veth"
    # The project's rules (driver match rewritten for veth) apply to it.
    dry_run = sim.instance.run(["udevadm", "test", "--action=add", f"/sys/class/net/{name}"]).stdout
    assert f"run: '/usr/libexec/ec2net/ec2-plug {name}'" in dry_run


def test_detach_removes_the_link(sim):
    primary, secondary = boot_two(sim)
    name = configured(sim, secondary)
    sim.detach(secondary)
    wait_until(lambda: name not in sim.instance.links(), what=f"{name} gone")


def test_networkctl_reload_and_status_work_inside(sim):
    primary, _ = boot_two(sim)
    name = configured(sim, primary)
    sim.instance.networkd.reload()
    assert "routable" in sim.instance.networkd.status(name)


def test_imds_is_reached_through_the_default_gateway(sim):
    primary, _ = boot_two(sim)
    configured(sim, primary)
    answer = sim.instance.run(["python3", "-c", IMDS_TOKEN_REQUEST])
    assert answer.stdout.strip() == "200"
    assert sim.imds.stats()["tokens"] >= 1


def test_packets_are_counted_per_eni(sim):
    primary, secondary = boot_two(sim)
    configured(sim, primary)
    configured(sim, secondary)
    # Bound to the device: with only the base config (no policy rules yet)
    # a source address alone does not pick the egress ENI.
    before = sim.vpc.packet_counters(primary.peer)
    sim.instance.ping(sim.instance.ifname_of(primary.mac), "10.0.0.1", count=5)
    assert sim.vpc.packet_counters(primary.peer) - before >= 5


def test_the_host_is_left_alone(sim):
    """Nothing of the simulation shows up in the host's /run, /etc or links."""
    def host_state():
        links = subprocess.run(["ip", "-br", "link"], capture_output=True, text=True).stdout
        return (sorted(os.listdir("/run")), sorted(os.listdir("/etc/systemd/network")),
                os.path.exists("/usr/libexec/ec2net"), links)
    before = host_state()
    primary, _ = boot_two(sim)
    configured(sim, primary)
    sim.ec2net("ec2-ifscan")  # whatever it does, it does inside
    assert host_state() == before
