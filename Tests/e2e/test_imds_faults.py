"""IMDS failing or slow during the boot scan: the scan fails, the DHCP base
config stays, nothing half-written; the next scan after recovery configures."""
import pytest

from scenarios import (assert_policy_routing, ec2net_tables, generated_files, link_configured, one_subnet, scan,
                       two_enis_same_subnet)
from sim.simulation import binaries_present, build_dir

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

# A short client timeout keeps the slow case quick; the delay is well above it.
SHORT_TIMEOUT = "[IMDS]\nTimeout=0.5\n"
SLOW = 1.5


def boot_with_broken_imds(sim, config=None, **fault):
    primary, secondary = two_enis_same_subnet(sim.add_subnet(one_subnet()))
    sim.boot([primary, secondary], files={"/etc/ec2net/ec2net.conf": config} if config else None)
    names = [link_configured(sim, eni) for eni in (primary, secondary)]
    sim.imds.fault(**fault)
    failed = scan(sim, expect_ok=False)
    assert failed.returncode != 0, f"ec2-ifscan succeeded against a broken IMDS\n{failed.stderr}"
    return primary, secondary, names


def assert_base_config_only(sim, enis, names):
    assert generated_files(sim) == [], "no ec2net file, not even a partial one"
    assert ec2net_tables(sim) == set()
    for eni, name in zip(enis, names):
        assert sim.instance.networkd.link_state(name) == ("routable", "configured")
        assert "80-ec2.network" in sim.instance.networkd.status(name)
        assert f"{eni.ipv4[0]}/24" in sim.instance.addrs(name, "-4")


@pytest.mark.parametrize("fault", [{"status": 500}, {"delay": SLOW}], ids=["failing", "slow"])
def test_boot_scan_with_broken_imds(sim, fault):
    primary, secondary, names = boot_with_broken_imds(sim, SHORT_TIMEOUT, **fault)
    assert_base_config_only(sim, [primary, secondary], names)

    sim.imds.clear_faults()
    scan(sim)
    assert_policy_routing(sim, [primary, secondary])
    assert sorted(generated_files(sim)) == [f"05-ec2net-{n}.network" for n in names]
