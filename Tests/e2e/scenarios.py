"""Topologies and steps shared by the tests, and kernel-state queries on them."""
from sim.namespace import CommandFailed
from sim.topology import Eni, Subnet
from sim.wait import wait_until

GENERATED_DIR = "/run/systemd/network"
CONFIG_FILE = "/etc/ec2net/ec2net.conf"


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


def swapped_enis(subnet):
    """The field case: the kernel named device 1 `eth0` and the primary `eth1`."""
    primary = Eni("02:00:00:00:00:10", subnet, device_number=0, kernel_name="eth1", ipv4=["10.0.0.10"],
                  eni_id="eni-0000000000000a010")
    secondary = Eni("02:00:00:00:00:20", subnet, device_number=1, kernel_name="eth0", ipv4=["10.0.0.20"],
                    eni_id="eni-0000000000000a020")
    return primary, secondary


def extra_eni(subnet, device_number, **kwargs):
    """ENI number N: MAC 02:00:00:00:00:N0, 10.0.0.N0, kernel name ethN+1."""
    n = device_number + 1
    return Eni(f"02:00:00:00:00:{n}0", subnet, device_number=device_number, kernel_name=f"eth{n}",
               ipv4=[f"10.0.0.{n}0"], eni_id=f"eni-0000000000000a0{n}0", **kwargs)


def three_enis_same_subnet(subnet):
    return two_enis_same_subnet(subnet) + (extra_eni(subnet, 2),)


# --- steps -------------------------------------------------------------------------
def link_configured(sim, eni, timeout=30):
    """Wait until networkd has configured the ENI (by any config); its name.

    No repair: a link left 'configuring' fails the test. (Until issue 21 this
    helper ran `networkctl reconfigure` on such a link: seen in CI, a reload
    that an ec2-plug still working had deferred landed after another link's
    udev event ended, and networkd 252 reconfigured that link mid-DHCP. Now
    ec2-plug does not return before a pending reload, ReloadCoordinator.Turn.)"""
    name = wait_until(lambda: sim.instance.ifname_of(eni.mac), what=f"link {eni.mac}")
    sim.instance.networkd.wait_configured(name, timeout=timeout)
    return name


def boot_and_scan(sim, enis, config=None):
    """Boot with the ENIs (and this ec2net.conf), let DHCP (base config)
    finish, run the boot scan; it must succeed."""
    sim.boot(enis, files={CONFIG_FILE: config} if config is not None else None)
    for eni in enis:
        link_configured(sim, eni)
    return scan(sim)


def scan(sim, *args, expect_ok=True):
    result = sim.ec2net("ec2-ifscan", *args)
    if expect_ok:
        assert result.returncode == 0, f"ec2-ifscan {' '.join(args)}: exit {result.returncode}\n" \
                                       f"{result.stdout}\n{result.stderr}"
    return result


def write_config(sim, text):
    sim.instance.write_file(CONFIG_FILE, text)


def generated_files(sim):
    return [f for f in sim.instance.listdir(GENERATED_DIR) if f.startswith("05-ec2net-")]


# --- kernel state --------------------------------------------------------------------
def rule_sources(sim, table, family="-4"):
    """Sources of the policy rules that look up `table`: {"10.0.0.20", "10.0.0.160/28"}."""
    return {r["src"] + (f'/{r["srclen"]}' if "srclen" in r else "")
            for r in sim.instance.ip_rules(family) if r.get("table") == str(table)}


def wait_rule_sources(sim, table, expected, family="-4", timeout=20):
    """Wait until exactly `expected` are the sources of rules for `table`."""
    expected = set(expected)
    wait_until(lambda: rule_sources(sim, table, family) == expected, timeout=timeout,
               what=f"ip {family} rule: sources for table {table} == {sorted(expected)} "
                    f"(now {sorted(rule_sources(sim, table, family))})")


def ec2net_tables(sim, family="-4"):
    """Tables 10000-19999 that some rule looks up."""
    return {int(r["table"]) for r in sim.instance.ip_rules(family)
            if r.get("table", "").isdigit() and 10000 <= int(r["table"]) < 20000}


def table_routes(sim, table, family="-4"):
    """`ip route show table N`; [] when the kernel has no such table."""
    try:
        return sim.instance.routes(table, family)
    except CommandFailed as error:
        if "table does not exist" in str(error):
            return []
        raise


def default_route_in_table(sim, table, dev, gateway="10.0.0.1"):
    return [r for r in table_routes(sim, table) if r["dst"] == "default"
            and r.get("gateway") == gateway and r.get("dev") == dev]


def assert_policy_routing(sim, enis, timeout=20):
    """Each secondary ENI: rules from its IPv4 addresses to its table, whose
    default route leaves through it.  The primary: no rule and no table."""
    for eni in enis:
        name = sim.instance.ifname_of(eni.mac)
        if eni.device_number == 0 and eni.network_card == 0:
            assert not [r for r in sim.instance.ip_rules() if r.get("src") in eni.ipv4], "the primary gets no rule"
            assert eni.route_table not in ec2net_tables(sim)
            continue
        wait_rule_sources(sim, eni.route_table, eni.ipv4, timeout=timeout)
        wait_until(lambda: default_route_in_table(sim, eni.route_table, name), timeout=timeout,
                   what=f"default via {eni.subnet.ipv4_gateway} dev {name} in table {eni.route_table}")


def assert_leaves_through_own_eni(sim, eni, count=10, destination="10.0.0.1", addresses=None):
    """Packets sourced from each of the ENI's IPv4 addresses leave by its veth (vpc counters)."""
    for address in addresses or eni.ipv4:
        # The address may be briefly absent while networkd re-applies the link's config.
        wait_until(lambda: sim.instance.ping(address, destination, check=False).returncode == 0,
                   what=f"ping from {address} to {destination}")
        before = sim.vpc.packet_counters(eni.peer)
        sim.instance.ping(address, destination, count=count)
        sent = sim.vpc.packet_counters(eni.peer) - before
        assert sent >= count, f"{sent} of {count} packets from {address} left through {eni.peer}"
