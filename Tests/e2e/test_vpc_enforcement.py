"""The simulated VPC enforces what EC2 enforces, and traffic proves egress.

* EC2's source/destination check (sim/srcdst.py; AWS EC2 User Guide,
  "Source/destination checking"): a frame an ENI sends with a source that is
  not one of its addresses is dropped, so a wrong route fails a ping here as
  it would on EC2.
* EC2's default DHCP options (sim/topology.py; AWS VPC User Guide, "DHCP
  option sets in Amazon VPC"; EC2 User Guide, "Network maximum transmission
  unit (MTU) for your EC2 instance"): resolver, search domain, MTU 9001.
* Every address of every ENI reaches a VPC host, and a refresh or hot-plug
  does not interrupt traffic from addresses it does not change.
"""
import json
import os
import re
import signal
import time

import pytest

from scenarios import (assert_policy_routing, boot_and_scan, extra_eni, link_configured, scan, wait_rule_sources)
from sim.simulation import binaries_present, build_dir
from sim.topology import EC2_MTU, Eni, Subnet
from sim.vpc import VPC_HOST_IPV4, VPC_HOST_IPV6
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

PINGS = 3


def dual_stack_enis(sim):
    """Two ENIs, each with a secondary IPv4; IPv6 by DHCPv6, as EC2 assigns
    it (sim/router6.py): one on the primary, two on the secondary."""
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24", ipv6_cidr="fd00:ec2:0:1::/64"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10", "10.0.0.11"], ipv6=["fd00:ec2:0:1::10"],
                  eni_id="eni-0000000000000a010")
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20", "10.0.0.21"],
                    ipv6=["fd00:ec2:0:1::20", "fd00:ec2:0:1::21"], eni_id="eni-0000000000000a020")
    return primary, secondary


def wait_address(sim, eni, address):
    name = sim.instance.ifname_of(eni.mac)
    wait_until(lambda: any(a.split("/")[0] == address for a in sim.instance.addrs(name)),
               timeout=30, what=f"{address} on {name}")


def drops(sim, *enis):
    return {eni.mac: sim.vpc.source_dest_check.dropped(eni.peer) for eni in enis}


# --- the check itself --------------------------------------------------------------
def test_source_dest_check_drops_a_reply_that_leaves_by_the_wrong_eni(sim):
    """With ec2net's rule for the secondary's address deleted, a packet from
    that address leaves by the primary ENI (the main table's route): EC2
    drops it, and so does the simulation. Restored, it passes again."""
    primary, secondary = dual_stack_enis(sim)
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    wait_address(sim, secondary, "10.0.0.21")
    assert sim.instance.ping("10.0.0.21", VPC_HOST_IPV4, count=PINGS, check=False).returncode == 0

    sim.instance.run(["ip", "rule", "del", "from", "10.0.0.21", "table", str(secondary.route_table)])
    before = drops(sim, primary)[primary.mac]
    wrong = sim.instance.ping("10.0.0.21", VPC_HOST_IPV4, count=PINGS, check=False)
    assert wrong.returncode != 0, f"a reply from 10.0.0.21 by the primary ENI must be dropped:\n{wrong.stdout}"
    assert drops(sim, primary)[primary.mac] - before >= PINGS, sim.vpc.source_dest_check.ruleset()

    # networkd re-adds the rule its .network file asks for (the file is
    # unchanged, so a refresh writes nothing and asks for no reload).
    sim.instance.run(["networkctl", "reconfigure", sim.instance.ifname_of(secondary.mac)])
    wait_rule_sources(sim, secondary.route_table, set(secondary.ipv4))
    assert sim.instance.ping("10.0.0.21", VPC_HOST_IPV4, count=PINGS, check=False).returncode == 0


# --- egress per source address ---------------------------------------------------------
def test_every_address_of_every_eni_reaches_a_vpc_host(sim):
    """For each ENI and each of its IPv4 and IPv6 addresses: a ping with that
    source to a host elsewhere in the VPC gets its replies, and the
    source/destination check dropped nothing."""
    enis = dual_stack_enis(sim)
    subnet = enis[0].subnet
    third = Eni("02:00:00:00:00:30", subnet, 2, "eth3", ["10.0.0.30", "10.0.0.31", "10.0.0.32"],
                ipv6=["fd00:ec2:0:1::30", "fd00:ec2:0:1::31"], eni_id="eni-0000000000000a030")
    enis = [*enis, third]
    boot_and_scan(sim, enis)
    assert_policy_routing(sim, enis)
    for eni in enis:
        for address in eni.ipv4 + eni.ipv6:
            wait_address(sim, eni, address)
            destination = VPC_HOST_IPV6 if ":" in address else VPC_HOST_IPV4
            wait_until(lambda: sim.instance.ping(address, destination, check=False).returncode == 0,
                       timeout=30, what=f"first reply from {destination} to {address}")
            before = sim.vpc.packet_counters(eni.peer)
            result = sim.instance.ping(address, destination, count=PINGS, check=False)
            assert result.returncode == 0, f"from {address} to {destination}:\n{result.stdout}"
            assert sim.vpc.packet_counters(eni.peer) - before >= PINGS, f"{address} left by another ENI"
    assert set(drops(sim, *enis).values()) == {0}, sim.vpc.source_dest_check.ruleset()


# --- DHCP as EC2 sends it ------------------------------------------------------------
def test_dhcp_brings_the_vpc_resolver_search_domain_and_mtu(sim):
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"])
    boot_and_scan(sim, [primary])
    name = link_configured(sim, primary)
    status = json.loads(sim.instance.run(["networkctl", "--json=short", "status", name]).stdout)
    dns = [".".join(str(b) for b in server["Address"]) for server in status.get("DNS", [])]
    domains = [entry["Domain"] for entry in status.get("SearchDomains", [])]
    assert dns == ["10.0.0.2"], f"AmazonProvidedDNS is the VPC base + 2: {status.get('DNS')}"
    assert domains == ["ec2.internal"], f"us-east-1's search domain: {status.get('SearchDomains')}"
    assert status["MTU"] == EC2_MTU == sim.instance.links()[name]["mtu"]


# --- interruptions --------------------------------------------------------------------
class Probe:
    """`ping -i 0.05` from one source inside the instance, for the length of an event."""

    INTERVAL = 0.05

    def __init__(self, sim, source, destination):
        self.source = source
        self.process = sim.instance.spawn(f"probe-{source}", [
            "ping", "-n", "-i", str(self.INTERVAL), "-W", "1", "-I", source, destination])

    def stop(self):
        """SIGINT (by PID) makes ping print its summary; the result."""
        if self.process.running():
            os.kill(self.process.pid, signal.SIGINT)
            self.process.popen.wait(timeout=10)
        text = self.process.log_text()
        transmitted, received = map(int, re.search(r"(\d+) packets transmitted, (\d+) received", text).groups())
        answered = sorted({int(n) for n in re.findall(r"icmp_seq=(\d+) ", text)})
        # The last request may still be in flight when SIGINT lands: not a loss.
        in_flight = 1 if transmitted and transmitted not in answered else 0
        # The longest run of unanswered requests, in seconds of probing.
        longest, previous = 0, 0
        for seq in answered + [transmitted + 1 - in_flight]:
            longest = max(longest, seq - previous - 1)
            previous = seq
        return {"source": self.source, "transmitted": transmitted, "lost": transmitted - received - in_flight,
                "longest_gap_s": round(longest * self.INTERVAL, 2)}


def probed(sim, sources, event, settled):
    """Run `event` while probing from each source; wait for `settled`, then a
    second of quiet probing. The results, also printed (the numbers of the
    report), with the frames the source/destination check dropped meanwhile
    (a request that left by the wrong ENI)."""
    enis = list(sim.enis)
    dropped_before = drops(sim, *enis)
    probes = [Probe(sim, source, VPC_HOST_IPV6 if ":" in source else VPC_HOST_IPV4) for source in sources]
    try:
        wait_until(lambda: all(re.search(r"icmp_seq=\d+ ", p.process.log_text()) for p in probes),
                   timeout=20, what="every probe answered once before the event")
        event()
        settled()
        time.sleep(1)  # probing after the change settled: a loss it caused late is still counted
    finally:
        results = [probe.stop() for probe in probes]
    dropped = {mac: n - dropped_before[mac] for mac, n in drops(sim, *enis).items()}
    print(json.dumps({"probes": results, "dropped_by_source_dest_check": dropped}))
    return {r["source"]: r for r in results}


def interruption_setup(sim):
    subnet = sim.add_subnet(Subnet("a", "10.0.0.0/24"))
    primary = Eni("02:00:00:00:00:10", subnet, 0, "eth1", ["10.0.0.10"], eni_id="eni-0000000000000a010")
    secondary = Eni("02:00:00:00:00:20", subnet, 1, "eth2", ["10.0.0.20", "10.0.0.21"],
                    eni_id="eni-0000000000000a020")
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    wait_address(sim, secondary, "10.0.0.21")
    return primary, secondary


def test_refresh_adding_an_address_interrupts_no_other_address(sim):
    primary, secondary = interruption_setup(sim)
    name = sim.instance.ifname_of(secondary.mac)

    def add():
        sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20", "10.0.0.21", "10.0.0.22"])
        scan(sim, "--refresh")

    def settled():
        wait_rule_sources(sim, secondary.route_table, {"10.0.0.20", "10.0.0.21", "10.0.0.22"})
        wait_address(sim, secondary, "10.0.0.22")
        sim.instance.networkd.wait_configured(name)

    results = probed(sim, ["10.0.0.10", "10.0.0.20", "10.0.0.21"], add, settled)
    assert results["10.0.0.10"]["lost"] == 0, results
    assert results["10.0.0.20"]["lost"] == 0, results
    assert results["10.0.0.21"]["lost"] == 0, results


def test_refresh_removing_an_address_interrupts_no_other_address(sim):
    primary, secondary = interruption_setup(sim)
    name = sim.instance.ifname_of(secondary.mac)

    def remove():
        sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20"])
        scan(sim, "--refresh")

    def settled():
        wait_rule_sources(sim, secondary.route_table, {"10.0.0.20"})
        wait_until(lambda: "10.0.0.21/32" not in sim.instance.addrs(name, "-4"), what="10.0.0.21 removed")
        sim.instance.networkd.wait_configured(name)

    results = probed(sim, ["10.0.0.10", "10.0.0.20"], remove, settled)
    assert results["10.0.0.10"]["lost"] == 0, results
    assert results["10.0.0.20"]["lost"] == 0, results


def test_hotplug_of_another_eni_interrupts_nothing(sim):
    primary, secondary = interruption_setup(sim)
    third = extra_eni(primary.subnet, 2)

    def plug():
        sim.hotplug(third)

    def settled():
        link_configured(sim, third)
        assert_policy_routing(sim, [primary, secondary, third])

    results = probed(sim, ["10.0.0.10", "10.0.0.20", "10.0.0.21"], plug, settled)
    for source in ("10.0.0.10", "10.0.0.20", "10.0.0.21"):
        assert results[source]["lost"] == 0, results


# How long IPv6 from a reconfigured link may be cut (measured 0.45-0.7 s).
# networkd 252's link reconfigure (networkd-link.c: link_reconfigure_impl ->
# link_stop_engines) stops the DHCPv6 client, which drops its lease's address
# ("DHCPv6 lease lost": KeepConfiguration=dhcp keeps only DHCPv4's, in
# networkd-dhcp4.c), and drops the RA routes, the ENI table's default among
# them (networkd-route.c: link_drop_foreign_routes spares RTPROT_DHCP and
# RTPROT_STATIC under KeepConfiguration=, not RTPROT_RA); both come back only
# after a new RA (a Router Solicitation delayed up to 1 s, RFC 4861 6.3.7;
# its retransmission 4 s later should that one be lost) and a DHCPv6
# exchange.  Until then requests from the ENI's IPv6 leave by the primary ENI
# and EC2's source/destination check drops them.  A failure bound, not a
# benchmark: the measured numbers are printed.
IPV6_RECONFIGURE_GAP_BOUND_S = 5.0


def test_refresh_changing_ipv4_interrupts_ipv6_only_on_that_eni_and_boundedly(sim):
    """The same change on a dual-stack ENI: IPv4 and every other ENI's IPv6
    lose nothing; the changed ENI's own IPv6 is cut for at most one RA and
    DHCPv6 exchange (networkd 252, above)."""
    primary, secondary = dual_stack_enis(sim)
    boot_and_scan(sim, [primary, secondary])
    assert_policy_routing(sim, [primary, secondary])
    name = sim.instance.ifname_of(secondary.mac)
    for eni in (primary, secondary):
        for address in eni.ipv6:
            wait_address(sim, eni, address)
            wait_until(lambda: sim.instance.ping(address, VPC_HOST_IPV6, check=False).returncode == 0,
                       timeout=30, what=f"first reply from {VPC_HOST_IPV6} to {address}")

    def add():
        sim.imds.set(secondary.mac, "local-ipv4s", ["10.0.0.20", "10.0.0.21", "10.0.0.22"])
        scan(sim, "--refresh")

    def settled():
        wait_rule_sources(sim, secondary.route_table, {"10.0.0.20", "10.0.0.21", "10.0.0.22"})
        wait_address(sim, secondary, "10.0.0.22")
        sim.instance.networkd.wait_configured(name)

    sources = ["10.0.0.10", "fd00:ec2:0:1::10", "10.0.0.20", "fd00:ec2:0:1::20", "fd00:ec2:0:1::21"]
    results = probed(sim, sources, add, settled)
    for source in sources[:3]:
        assert results[source]["lost"] == 0, results
    for source in secondary.ipv6:
        assert results[source]["longest_gap_s"] <= IPV6_RECONFIGURE_GAP_BOUND_S, results
