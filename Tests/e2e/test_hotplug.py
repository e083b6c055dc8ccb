"""Hotplug: udev's RUN ec2-plug / ec2-unplug configure an ENI attached or
detached while the instance runs; ec2-ifscan is not run."""
import pytest

from scenarios import (GENERATED_DIR, assert_leaves_through_own_eni, assert_policy_routing, boot_and_scan,
                       extra_eni, generated_files, link_configured, one_subnet, rule_sources,
                       two_enis_same_subnet)
from sim.simulation import binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")


def test_attach_is_configured_by_udev(sim):
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary])
    sim.hotplug(secondary)
    link_configured(sim, secondary)
    assert_policy_routing(sim, [primary, secondary])
    assert_leaves_through_own_eni(sim, secondary)


def test_detach_removes_rules_and_generated_file(sim):
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    name = sim.instance.ifname_of(secondary.mac)
    generated = f"05-ec2net-{name}.network"
    assert generated in generated_files(sim)

    sim.detach(secondary)
    wait_until(lambda: generated not in generated_files(sim), what=f"{GENERATED_DIR}/{generated} removed")
    wait_until(lambda: not rule_sources(sim, secondary.route_table),
               what=f"rules for table {secondary.route_table} removed "
                    f"(left: {sorted(rule_sources(sim, secondary.route_table))})")


def test_late_device_number_still_gets_its_table(sim):
    """IMDS reports device-number 0 for 2 s after the attach, as EC2 does
    while an attachment propagates; ec2-plug must wait for the real one."""
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    third = extra_eni(subnet, 2)
    boot_and_scan(sim, [primary, secondary])
    sim.hotplug(third, imds_extra={"device-number-delay": 2})
    link_configured(sim, third)
    assert_policy_routing(sim, [primary, secondary, third], timeout=40)
    assert not [r for r in sim.instance.ip_rules() if r.get("src") == "10.0.0.30" and r.get("table") != "10002"]
