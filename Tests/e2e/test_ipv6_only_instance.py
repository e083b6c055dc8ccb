"""An instance in an IPv6-only subnet, from a metadata tree captured on a
real one, with the IPv6 IMDS endpoint off (EC2's default): ec2net must keep
the DHCPv4 link-local lease that is the instance's only IPv4 path to IMDS.

Model and sources:
- the IMDS tree: cloud-init's MULTI_NIC_V6_ONLY_MD (Tests/fixtures/imds/
  cloud-init-multi-nic-v6-only.json; cloud-init #5283), served as captured
  except that its public prefix 2600:1f16:67f:f200::/56 is moved to the ULA
  fd00:1f16:67f:f200::/56 so that no packet is ever addressed to a public
  prefix (Tests/e2e/README.md, differences);
- the network: EC2's DHCPv4 answers there with 169.254.0.x/16 and router
  169.254.0.1 (sim/topology.py names the sources); IPv6 by DHCPv6 + RA;
- the IPv6 endpoint [fd00:ec2::254] does not exist (HttpProtocolIpv6 off).

Before this was fixed, ec2net rendered DHCP=ipv6 for such ENIs: networkd
dropped the lease and `PUT /latest/api/token` over IPv4 got no answer.
"""
import copy
import http.client
import json
import os

import pytest

from scenarios import link_configured, rule_sources, scan, table_routes, wait_rule_sources
from sim.imds import _NamespacedConnection
from sim.simulation import binaries_present, build_dir
from sim.topology import IPV6_ONLY_DHCP4_ROUTER, Eni, Subnet
from sim.vpc import IMDS_IPV4
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

TREE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "imds",
                    "cloud-init-multi-nic-v6-only.json")
PUBLIC, ULA = "2600:1f16:", "fd00:1f16:"


def captured_tree():
    """The captured tree with its public IPv6 prefix moved to a ULA."""
    with open(TREE) as f:
        return json.loads(f.read().replace(PUBLIC, ULA))


def ipv6s(eni_tree):
    value = eni_tree.get("ipv6s") or []
    return [value] if isinstance(value, str) else list(value)


def link_local_lease(sim, name):
    """The DHCPv4 lease EC2 gives in an IPv6-only subnet, if the link holds it."""
    return [a for a in sim.instance.addrs(name, "-4") if a.startswith("169.254.0.") and a.endswith("/16")]


def token_status_over_ipv4(sim):
    """PUT /latest/api/token to 169.254.169.254 from inside the instance: the
    status, or the OSError when there is no path (yet)."""
    connection = _NamespacedConnection(sim.instance.netns, IMDS_IPV4, 80, timeout=3)
    try:
        connection.request("PUT", "/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        return connection.getresponse().status
    except OSError as error:
        return error
    finally:
        connection.close()


def main_default_via_lease(sim, name, metric):
    return [r for r in sim.instance.routes("main") if r["dst"] == "default" and r.get("dev") == name
            and r.get("gateway") == IPV6_ONLY_DHCP4_ROUTER and r.get("metric") == metric]


def assert_imds_path_kept(sim, enis):
    for eni in enis:
        name = sim.instance.ifname_of(eni.mac)
        wait_until(lambda: link_local_lease(sim, name), what=f"169.254.0.x/16 lease on {name}")
        wait_until(lambda: main_default_via_lease(sim, name, eni.route_metric),
                   what=f"main: default via {IPV6_ONLY_DHCP4_ROUTER} dev {name} metric {eni.route_metric}")
        assert rule_sources(sim, eni.route_table, "-4") == set(), "no IPv4 rule from the 169.254 address"
        assert table_routes(sim, eni.route_table, "-4") == [], "no IPv4 routes in the ENI's table"
    assert wait_until(lambda: token_status_over_ipv4(sim) == 200, what="IMDS token over IPv4")


def test_ipv6_only_instance_keeps_imds_over_ipv4(sim):
    tree = captured_tree()
    by_device = {int(e["device-number"]): e for e in tree["interfaces"]}
    v6only = sim.add_subnet(Subnet("v6", ipv4_cidr=None, ipv6_cidr=f"{ULA}67f:f201::/64"))
    # Kernel names deliberately not EC2's: ec2net finds ENIs by MAC.
    enis = [Eni(by_device[d]["mac"], v6only, d, f"eth{d + 1}", ipv6=ipv6s(by_device[d]),
                eni_id=by_device[d]["interface-id"]) for d in (0, 1)]
    assert not sim.vpc.imds_ipv6, "EC2's default: the IPv6 endpoint is off"

    # Boot: before ec2net, the base config's DHCPv4 holds the lease and IMDS answers.
    sim.boot(enis, imds_scenario=tree)
    for eni in enis:
        link_configured(sim, eni)
        # Configured means DHCPv4 or DHCPv6 has configured the link (networkd):
        # the link-local lease may come second.
        wait_until(lambda: link_local_lease(sim, sim.instance.ifname_of(eni.mac)), what="169.254.0.x/16 lease")
    assert wait_until(lambda: token_status_over_ipv4(sim) == 200, what="IMDS token over IPv4")

    # The boot scan.
    scan(sim)
    primary, secondary = enis
    wait_rule_sources(sim, secondary.route_table, set(ipv6s(by_device[1])), family="-6")
    assert_imds_path_kept(sim, enis)

    # Hot-plug a third ENI into the same subnet (shaped like the captured
    # ones): udev's ec2-plug reaches IMDS over the 169.254 path.
    third_tree = copy.deepcopy(by_device[1])
    third_tree.update({"mac": "02:6b:df:a2:4b:3c", "device-number": "2", "interface-id": "eni-0669816d0cf606124",
                       "ipv6s": f"{ULA}67f:f201:8d2e:4d1f:9e80:4ac0"})
    third = Eni(third_tree["mac"], v6only, 2, "eth3", ipv6=ipv6s(third_tree), eni_id=third_tree["interface-id"])
    sim.imds.attach(third_tree)
    sim.vpc.plug(third, sim.instance.netns)
    sim.enis.append(third)
    wait_rule_sources(sim, third.route_table, set(ipv6s(third_tree)), family="-6")
    assert_imds_path_kept(sim, enis + [third])

    # A secondary IPv6 assigned later: the refresh picks it up over IPv4.
    added = f"{ULA}67f:f201:8d2e:4d1f:9e80:4aba"
    sim.imds.set(secondary.mac, "ipv6s", ipv6s(by_device[1]) + [added])
    scan(sim, "--refresh")
    wait_rule_sources(sim, secondary.route_table, set(ipv6s(by_device[1])) | {added}, family="-6")
    assert_imds_path_kept(sim, enis + [third])
