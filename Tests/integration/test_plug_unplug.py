"""ec2-plug and ec2-unplug, the real programs, against a temporary root and
the mock IMDS, checked against the contract in docs/interfaces.md.

Run from the repository root after `swift build`:
    python3 -m pytest Tests/integration
(EC2NET_BUILD_DIR picks another build directory, default .build/debug.)
"""

from __future__ import annotations

import pytest

from ec2net_harness import (
    EX_DATAERR,
    EX_OK,
    EX_TEMPFAIL,
    Instance,
    header,
    ipv6_loopback_available,
    mac_of,
    parse_network_file,
    read_generated,
    reaping,
    scenario,
    sections_named,
)

ENI_COUNT = 8


def eni(index: int) -> dict:
    """ENI `index` of the instance: device-number = index, its own subnet."""
    return {
        "mac": mac_of(index), "device-number": index, "interface-id": f"eni-{index + 0xabc0:017x}",
        "local-ipv4s": [f"10.0.{index}.10", f"10.0.{index}.11"], "ipv6s": [], "ipv4-prefix": [], "ipv6-prefix": [],
        "subnet-ipv4-cidr-block": f"10.0.{index}.0/24", "subnet-ipv6-cidr-blocks": [],
        "vpc-ipv4-cidr-block": "10.0.0.0/16",
    }


def instance_scenario() -> dict:
    return scenario([eni(i) for i in range(ENI_COUNT)], **{"local-hostname": "ip-10-0-0-10.ec2.internal"})


class Host(Instance):
    """The instance, its programs run as udev runs them: by interface name;
    a plug after the kernel shows the link and with --mac, an unplug after
    the kernel has forgotten it."""

    @staticmethod
    def _index(interface: str) -> int:
        return int(interface.removeprefix("eth"))

    def plug(self, interface: str, *extra: str, imds: str | None = None):
        index = self._index(interface)
        self.add_device(index)
        return super().plug(index, "--mac", mac_of(index), *extra, imds=imds)

    def start_plug(self, interface: str):
        """A running ec2-plug; the caller waits for it (or kills it)."""
        index = self._index(interface)
        self.add_device(index)
        return super().start_plug(index, "--mac", mac_of(index))

    def unplug(self, interface: str, *extra: str):
        index = self._index(interface)
        self.remove_device(index)
        return super().unplug(index, *extra)


@pytest.fixture
def host(temp_root, mock_imds, fake_networkctl) -> Host:
    return Host(temp_root, mock_imds(instance_scenario()), fake_networkctl)


# -- plug -------------------------------------------------------------------------

def test_primary_eni_gets_its_file_without_policy_rules(host):
    assert host.plug("eth0").returncode == EX_OK
    files = read_generated(host.root)
    assert list(files) == ["05-ec2net-eth0.network"]
    text = files["05-ec2net-eth0.network"]
    assert text.splitlines()[0] == header(mac_of(0))
    # The primary ENI uses the main table: no policy routing of its own.
    assert sections_named(text, "RoutingPolicyRule") == []
    assert len(host.reloads()) == 1


def test_secondary_eni_gets_its_own_table_rules_and_metric(host):
    assert host.plug("eth1").returncode == EX_OK
    text = read_generated(host.root)["05-ec2net-eth1.network"]
    assert text.splitlines()[0] == header(mac_of(1))
    rules = sections_named(text, "RoutingPolicyRule")
    assert rules, text
    # Table 10000 + 100 * card + device; the rule priority follows it.
    assert all(rule.get("Table") == "10001" for rule in rules), rules
    assert any(rule.get("Priority") == "10001" for rule in rules), rules
    # Metric 512 + device, wherever networkd takes it (DHCPv4, IPv6AcceptRA, ...).
    metrics = [value for _, entries in parse_network_file(text) for key, value in entries if key == "RouteMetric"]
    assert metrics and set(metrics) == {"513"}, text
    assert len(host.reloads()) == 1


def test_second_plug_writes_nothing_and_does_not_reload(host):
    assert host.plug("eth1").returncode == EX_OK
    before = host.state()
    assert host.plug("eth1").returncode == EX_OK
    assert host.state() == before
    assert len(host.reloads()) == 1


def test_concurrent_plugs_write_every_file_and_reload_once(host):
    # udev runs the add events of a burst side by side. Holding each token
    # answer briefly keeps all eight inside their IMDS read until all have
    # started, so the test checks reload coalescing, not process start-up speed.
    host.imds.fault(delay=0.5, path="^/latest/api/token$", count=ENI_COUNT)
    with reaping([]) as processes:
        for index in range(ENI_COUNT):
            processes.append(host.start_plug(f"eth{index}"))
        results = [(p.args[-1], *p.communicate(timeout=60)) for p in processes]
    for (interface, stdout, stderr), process in zip(results, processes):
        print(f"{interface}: exit {process.returncode}\n{stdout}{stderr}")
    assert [p.returncode for p in processes] == [EX_OK] * ENI_COUNT
    assert sorted(read_generated(host.root)) == sorted(f"05-ec2net-eth{i}.network" for i in range(ENI_COUNT))
    assert len(host.reloads()) == 1, host.reloads()


def test_plug_uses_one_connection(host):
    host.imds.reset_stats()
    assert host.plug("eth1").returncode == EX_OK
    stats = host.imds.stats()
    print(f"IMDS traffic for one plug: {stats}")
    for entry in host.imds.log():
        print(f"  {entry['method']} {entry['path']} -> {entry['status']}")
    assert stats["connections"] == 1


def test_expired_token_is_renewed_once(host):
    # imds-reference.md: on 401 the client fetches a new token and retries once.
    host.imds.fault(expire_tokens=True, path="/local-ipv4s$")
    assert host.plug("eth1").returncode == EX_OK
    assert host.imds.stats()["tokens"] == 2
    assert "05-ec2net-eth1.network" in read_generated(host.root)


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback")
def test_imds_over_ipv6(host, mock_imds):
    # The fallback endpoint is IPv6 (http://[fd00:ec2::254]); [::1] stands in.
    imds6 = mock_imds(instance_scenario(), listen="[::1]:0")
    assert host.plug("eth1", imds=imds6.url).returncode == EX_OK
    assert imds6.stats()["connections"] == 1
    assert "05-ec2net-eth1.network" in read_generated(host.root)


# -- unplug -----------------------------------------------------------------------

@pytest.mark.parametrize("mac_option", [False, True], ids=["mac-from-file", "mac-option"])
def test_unplug_removes_its_file_and_reloads_once(host, mac_option):
    handwritten = host.root.network_dir / "10-handwritten.network"
    handwritten.write_text("[Match]\nName=dummy0\n\n[Network]\nDHCP=no\n")
    assert host.plug("eth1").returncode == EX_OK
    reloads = len(host.reloads())
    extra = ("--mac", mac_of(1)) if mac_option else ()
    assert host.unplug("eth1", *extra).returncode == EX_OK
    assert sorted(read_generated(host.root)) == ["10-handwritten.network"]
    assert len(host.reloads()) == reloads + 1


@pytest.mark.parametrize("mac_option", [False, True], ids=["mac-from-file", "mac-option"])
def test_unplug_never_removes_a_file_it_did_not_write(host, mac_option):
    # Same name ec2net would use and the same MAC, but no ec2net header.
    impostor = host.root.network_dir / "05-ec2net-eth3.network"
    impostor.write_text(f"[Match]\nMACAddress={mac_of(3)}\n\n[Network]\nDHCP=yes\n")
    before = host.state()
    extra = ("--mac", mac_of(3)) if mac_option else ()
    assert host.unplug("eth3", *extra).returncode == EX_OK  # nothing to do
    assert host.state() == before
    assert host.reloads() == []


# -- refusals: nothing changes ------------------------------------------------------

def test_unreachable_imds_is_tempfail_and_changes_nothing(host, unreachable_imds):
    assert host.plug("eth1").returncode == EX_OK
    before, reloads = host.state(), host.reloads()
    assert host.plug("eth1", imds=unreachable_imds).returncode == EX_TEMPFAIL
    assert host.state() == before
    assert host.reloads() == reloads


def test_from_udev_a_hand_over_exits_zero(host, unreachable_imds):
    """Issue 16: udev logs any non-zero RUN exit as a failure. Run by udev
    (ACTION set), IMDS not reachable yet (coldplug before any address) and
    "not ours" (excluded here) exit 0, each logged at info."""
    host.extra_env["ACTION"] = "add"
    result = host.plug("eth1", imds=unreachable_imds)
    assert result.returncode == EX_OK, result.stderr
    assert "ec2-ifscan.service configures it" in result.stderr
    assert "warning" not in result.stderr and "error" not in result.stderr, result.stderr
    host.configure(f"[Interfaces]\nExclude={mac_of(1)}\n")
    result = host.plug("eth1")
    assert result.returncode == EX_OK and "excluded by" in result.stderr, result.stderr
    assert read_generated(host.root) == {}


@pytest.mark.parametrize("key, body", [
    # A list key whose extra line tries to inject a section into the file.
    ("local-ipv4s", "10.0.1.10\n[Network]\nDNS=203.0.113.1"),
    # A one-value key answered with two lines.
    ("subnet-ipv4-cidr-block", "10.0.1.0/24\n10.0.2.0/24"),
    ("local-ipv4s", "10.0.0.300"),
], ids=["newline-injection", "two-line-single-value", "octet-out-of-range"])
def test_bad_metadata_is_refused_and_changes_nothing(host, key, body):
    assert host.plug("eth1").returncode == EX_OK
    before, reloads = host.state(), host.reloads()
    host.imds.fault(body=body, path=f"/macs/{mac_of(1)}/{key}$")
    assert host.plug("eth1").returncode == EX_DATAERR
    assert host.state() == before
    assert host.reloads() == reloads


def test_device_number_that_never_propagates_gives_up(host):
    late = {**eni(ENI_COUNT), "device-number-delay": 1000}
    host.imds.attach(late)
    before, reloads = host.state(), host.reloads()
    result = host.plug(f"eth{ENI_COUNT}", "--device-number-timeout", "1")
    assert result.returncode in (EX_TEMPFAIL, EX_DATAERR)
    assert host.state() == before
    assert host.reloads() == reloads
