"""Interface naming: ec2-ifname through udev with the project's rules.

The naming map (/var/lib/ec2net/interfaces) and the configuration are in
place before udev sees the ENIs, as after an earlier boot: ec2-ifname
answers from the map.
"""
import pytest

from scenarios import one_subnet, swapped_enis
from sim.simulation import binaries_present, build_dir
from sim.topology import Eni
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

CONFIG = "/etc/ec2net/ec2net.conf"
MAP = "/var/lib/ec2net/interfaces"
DEVICE_INDEX_CONFIG = "[Naming]\nMode=device-index\n"
EC2_KEYS = ["EC2_IFNAME", "EC2_DEVICE_NUMBER", "EC2_NETWORK_CARD", "EC2_ENI_ID"]


def naming_map(*enis):
    return "".join(f"{e.mac} device={e.device_number} card={e.network_card} eni={e.eni_id}\n" for e in enis)


def ec2_properties(sim, name):
    props = sim.instance.udevd.device_properties(name)
    return {k: v for k, v in props.items() if k.startswith("EC2_")}


def udevadm_test(sim, name):
    """`udevadm test --action=add` for one link; on systemd 252 it really renames."""
    result = sim.instance.run(["udevadm", "test", "--action=add", f"/sys/class/net/{name}"], check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"udevadm test {name}: exit {result.returncode}\n{output}"
    # The event's final properties are printed as KEY=value lines on stdout.
    props = dict(line.split("=", 1) for line in result.stdout.splitlines()
                 if "=" in line and line.split("=", 1)[0].isupper())
    return props, output


def generated_for(sim, name):
    path = f"/run/systemd/network/05-ec2net-{name}.network"
    return sim.instance.read_file(path).splitlines()[0] if sim.instance.exists(path) else None


def test_udevadm_test_imports_properties_and_renames(sim):
    subnet = sim.add_subnet(one_subnet())
    primary = Eni("02:00:00:00:00:10", subnet, device_number=0, kernel_name="eth1", ipv4=["10.0.0.10"],
                  eni_id="eni-0000000000000a010")
    third = Eni("02:00:00:00:00:30", subnet, device_number=2, kernel_name="eth7", ipv4=["10.0.0.30"],
                eni_id="eni-0000000000000a030")
    sim.boot([primary, third], run_udev_coldplug=False,
             files={CONFIG: DEVICE_INDEX_CONFIG, MAP: naming_map(primary, third)})

    props, output = udevadm_test(sim, "eth1")
    assert {k: props.get(k) for k in EC2_KEYS} == {
        "EC2_IFNAME": "eth0", "EC2_DEVICE_NUMBER": "0", "EC2_NETWORK_CARD": "0",
        "EC2_ENI_ID": "eni-0000000000000a010"}, output
    assert "81-ec2net.rules" in output and "NAME 'eth0'" in output, output  # the NAME= our rule set
    assert (props.get("INTERFACE_OLD"), props.get("INTERFACE")) == ("eth1", "eth0"), output
    assert "ec2-plug eth0" in output, f"RUN uses the new name\n{output}"
    assert wait_until(lambda: sim.instance.ifname_of(primary.mac) == "eth0", what="eth1 renamed to eth0")

    props, output = udevadm_test(sim, "eth7")
    assert {k: props.get(k) for k in EC2_KEYS} == {
        "EC2_IFNAME": "eth2", "EC2_DEVICE_NUMBER": "2", "EC2_NETWORK_CARD": "0",
        "EC2_ENI_ID": "eni-0000000000000a030"}, output
    assert (props.get("INTERFACE_OLD"), props.get("INTERFACE")) == ("eth7", "eth2"), output
    assert wait_until(lambda: sim.instance.ifname_of(third.mac) == "eth2", what="eth7 renamed to eth2")
    assert set(sim.instance.links()) == {"lo", "eth0", "eth2"}


def test_udevadm_test_target_taken_parks_on_temporary_name(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = swapped_enis(subnet)
    sim.boot([primary, secondary], run_udev_coldplug=False,
             files={CONFIG: DEVICE_INDEX_CONFIG, MAP: naming_map(primary, secondary)})

    # eth1 (the primary) wants eth0, which device 1 holds: temporary name.
    props, output = udevadm_test(sim, "eth1")
    assert props.get("EC2_IFNAME") == "tmp020000000010", output
    assert props.get("EC2_DEVICE_NUMBER") == "0", output
    assert wait_until(lambda: sim.instance.ifname_of(primary.mac) == "tmp020000000010", what="primary parked")
    # eth0 (device 1) now takes eth1, which is free.
    props, output = udevadm_test(sim, "eth0")
    assert props.get("EC2_IFNAME") == "eth1", output
    assert wait_until(lambda: sim.instance.ifname_of(secondary.mac) == "eth1", what="device 1 on eth1")
    # And the parked primary gets eth0.
    props, output = udevadm_test(sim, "tmp020000000010")
    assert props.get("EC2_IFNAME") == "eth0", output
    assert wait_until(lambda: sim.instance.ifname_of(primary.mac) == "eth0", what="primary on eth0")


def boot_scan_configures(sim, expected):
    """Check the generated configs: {name: eni}.

    At boot the ENIs' udev events come before DHCP, so ec2-plug often finds
    IMDS unreachable (exit 75, config left for later) and the boot scan
    (ec2-ifscan.service) configures them; when ec2-plug did write a file,
    it must already be the right one.
    """
    for name in expected:
        sim.instance.networkd.wait_configured(name)  # DHCP via the base config
    for name, eni in expected.items():
        first = generated_for(sim, name)
        assert first in (None, f"# Generated by ec2net for MAC {eni.mac}; do not edit"), (name, first)
    assert not [f for f in sim.instance.listdir("/run/systemd/network") if "tmp" in f]
    scan = sim.ec2net("ec2-ifscan")
    assert scan.returncode == 0, f"ec2-ifscan exit {scan.returncode}\n{scan.stdout}\n{scan.stderr}"
    for name, eni in expected.items():
        first = wait_until(lambda: generated_for(sim, name), what=f"05-ec2net-{name}.network")
        assert first == f"# Generated by ec2net for MAC {eni.mac}; do not edit", (name, first)
    assert not [f for f in sim.instance.listdir("/run/systemd/network") if "tmp" in f]


def test_swapped_kernel_names_boot_primary_ends_up_eth0(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = swapped_enis(subnet)
    sim.boot([primary, secondary], files={CONFIG: DEVICE_INDEX_CONFIG, MAP: naming_map(primary, secondary)})

    def names():
        return (sim.instance.ifname_of(primary.mac), sim.instance.ifname_of(secondary.mac))
    wait_until(lambda: names() == ("eth0", "eth1"), timeout=30, what="primary eth0, device 1 eth1")
    sim.instance.udevd.settle()
    assert names() == ("eth0", "eth1"), "the names stay once settled"

    boot_scan_configures(sim, {"eth0": primary, "eth1": secondary})

    # The properties survived the renames (and the kernel's `move` events).
    assert {name: ec2_properties(sim, name) for name in ("eth0", "eth1")} == {
        "eth0": {"EC2_IFNAME": "eth0", "EC2_DEVICE_NUMBER": "0", "EC2_NETWORK_CARD": "0",
                 "EC2_ENI_ID": "eni-0000000000000a010"},
        "eth1": {"EC2_IFNAME": "eth1", "EC2_DEVICE_NUMBER": "1", "EC2_NETWORK_CARD": "0",
                 "EC2_ENI_ID": "eni-0000000000000a020"}}


def test_keep_mode_keeps_names_and_exports_properties(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = swapped_enis(subnet)
    # The package's default configuration: [Naming] Mode=keep.
    sim.boot([primary, secondary], files={MAP: naming_map(primary, secondary)})
    sim.instance.udevd.settle()

    assert sim.instance.ifname_of(primary.mac) == "eth1"
    assert sim.instance.ifname_of(secondary.mac) == "eth0"
    expected = {
        "eth1": {"EC2_DEVICE_NUMBER": "0", "EC2_NETWORK_CARD": "0", "EC2_ENI_ID": "eni-0000000000000a010"},
        "eth0": {"EC2_DEVICE_NUMBER": "1", "EC2_NETWORK_CARD": "0", "EC2_ENI_ID": "eni-0000000000000a020"},
    }
    for name, props in expected.items():
        assert ec2_properties(sim, name) == props, name

    # A later `change` event rebuilds the udev entry without ec2-ifname: the properties stay.
    sim.instance.run(["udevadm", "trigger", "--action=change", "/sys/class/net/eth0"])
    sim.instance.udevd.settle()
    assert ec2_properties(sim, "eth0") == expected["eth0"]

    boot_scan_configures(sim, {"eth1": primary, "eth0": secondary})
    assert sim.instance.ifname_of(primary.mac) == "eth1"
