"""ec2-ifscan (issue 5), the real program, over a temporary root, a fake
sysfs (devices with a `device/driver` link to `ena`) and the mock IMDS:
the boot scan over a mix of unconfigured, configured, stale and gone
interfaces; refresh with a secondary IP added, then removed, and a
transient IMDS failure in between; Exclude= and Manage=; IMDS disabled
(403); an EFA-only ENI.

Run from the repository root after `swift build`:
    python3 -m pytest Tests/integration/test_ifscan.py
"""

from __future__ import annotations

import pytest

from ec2net_harness import (
    EX_NOPERM,
    EX_OK,
    Instance,
    efa_only_eni,
    eni,
    file_of,
    header,
    log_lines,
    mac_of,
    problem_lines,
    reference_files,
)

HANDWRITTEN = "10-handwritten.network"


def booted(make_instance, enis: list[dict]) -> Instance:
    """An instance whose ENIs (eth0...) are all present, after its boot scan."""
    inst = make_instance(enis)
    inst.add_devices(range(len(enis)))
    assert inst.scan().returncode == EX_OK
    return inst


def address_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Address=")]


# -- the boot scan ----------------------------------------------------------------

def test_scan_configures_refreshes_and_removes_exactly_what_it_should(make_instance, tmp_path):
    # eth0 and eth3: unconfigured. eth1: configured and current. eth2:
    # configured from older metadata (IMDS has since gained a secondary IP).
    # eth5: configured once, its device is gone. Plus an admin's file.
    inst = make_instance([eni(i) for i in range(6)])
    for index in (1, 2, 5):
        inst.add_device(index)
        assert inst.plug(index).returncode == EX_OK
    inst.remove_device(5)
    inst.imds.detach(mac_of(5))
    for index in (0, 3):
        inst.add_device(index)
    handwritten = inst.root.network_dir / HANDWRITTEN
    handwritten.write_text("[Match]\nName=dummy0\n\n[Network]\nDHCP=no\n")
    inst.imds.set(mac_of(2), "local-ipv4s", ["10.1.2.10", "10.1.2.11", "10.1.2.12"])
    before = inst.state()["network"]
    reloads = len(inst.reloads())

    result = inst.scan()

    assert result.returncode == EX_OK
    after = inst.state()["network"]
    assert sorted(after) == sorted([HANDWRITTEN] + [file_of(i) for i in (0, 1, 2, 3)])
    assert after[file_of(1)] == before[file_of(1)], "a current file was rewritten"
    assert after[HANDWRITTEN] == before[HANDWRITTEN]
    assert after[file_of(2)][0] != before[file_of(2)][0]
    assert "Address=10.1.2.12/32" in after[file_of(2)][0].decode()
    # Every file is what a serial plug writes for today's metadata.
    reference = reference_files(inst.imds, tmp_path / "reference", (0, 1, 2, 3))
    assert {name: data for name, (data, _, _) in after.items() if name != HANDWRITTEN} == reference
    # One reload for the whole scan, and one log line per decision.
    assert len(inst.reloads()) == reloads + 1, inst.reloads()
    assert len(log_lines(result, "eth5", "gone", "removed")) == 1, result.stderr
    assert len(log_lines(result, "eth2", "wrote")) == 1, result.stderr
    assert len(log_lines(result, "eth1", "up to date")) == 1, result.stderr
    assert problem_lines(result) == []
    assert inst.temporaries() == []


def test_scan_uses_one_token_and_one_connection(make_instance):
    inst = booted(make_instance, [eni(i) for i in range(4)])
    stats = inst.imds.stats()
    print(f"IMDS traffic for one scan of 4 ENIs: {stats}")
    assert stats["tokens"] == 1
    assert stats["connections"] == 1


def test_scan_ignores_devices_with_other_drivers(make_instance):
    inst = make_instance([eni(0), eni(1)])
    inst.add_device(0)
    inst.add_device(1, driver="veth")  # a veth with an ENI's MAC is not an ENI
    inst.add_device(7, driver=None, mac="02:00:00:00:00:99")  # virtual: no device link
    assert inst.scan().returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0)]


def test_second_scan_changes_nothing(make_instance):
    inst = booted(make_instance, [eni(i) for i in range(3)])
    before, reloads = inst.state(), inst.reloads()
    for mode in ((), ("--refresh",)):
        assert inst.scan(*mode).returncode == EX_OK
    assert inst.state() == before
    assert inst.reloads() == reloads


# -- refresh ----------------------------------------------------------------------

TRANSIENT_FAILURES = {
    # Longer than the client's retries: the run fails, it must not remove.
    "500-burst": dict(status=500, count=40),
    # Connections closed without an answer (until cleared).
    "down": dict(down=True),
    # Only the changed key fails: the rest of IMDS answers.
    "500-on-local-ipv4s": dict(status=500, path="/local-ipv4s$"),
}


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
def test_refresh_adds_then_removes_a_secondary_ip_and_a_failure_between_changes_nothing(make_instance, failure):
    inst = booted(make_instance, [eni(i) for i in range(3)])
    original = inst.network_bytes()
    assert len(inst.reloads()) == 1

    # Someone assigns a secondary IP in the console.
    inst.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11", "10.1.1.99"])
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK
    added = inst.network_bytes()
    assert "Address=10.1.1.99/32" in added[file_of(1)].decode()
    assert "From=10.1.1.99" in added[file_of(1)].decode()
    assert {n: d for n, d in added.items() if n != file_of(1)} == {n: d for n, d in original.items() if n != file_of(1)}
    assert len(inst.reloads()) == 2

    # IMDS fails for a while; meanwhile the IP is unassigned again. The
    # failed refresh must keep what is there (upstream #161).
    inst.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11"])
    state = inst.state()
    inst.imds.fault(**failure)
    result = inst.scan("--refresh")
    inst.imds.clear_faults()
    assert result.returncode != EX_OK
    assert inst.state() == state, "a failed refresh changed the config"
    assert len(inst.reloads()) == 2, "a failed refresh reloaded"
    assert problem_lines(result), "no log line says why the refresh failed"
    assert inst.temporaries() == []

    # IMDS is back: the next refresh removes the IP.
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK
    assert inst.network_bytes() == original
    assert len(inst.reloads()) == 3


def test_refresh_does_not_wait_for_an_unpropagated_eni(make_instance):
    inst = make_instance([eni(0), eni(1)])
    inst.imds.attach({**eni(2), "device-number-delay": 1000})
    inst.add_devices(range(3))
    result = inst.scan("--refresh")
    # eth2 is left for the next tick (exit 75); the others are configured.
    assert sorted(inst.generated()) == [file_of(0), file_of(1)]
    assert result.returncode == 75
    assert len(log_lines(result, "eth2", "next scan")) == 1, result.stderr


# -- Exclude= and Manage= ------------------------------------------------------------

EXCLUDED = {"mac": mac_of(1), "device": "device:1"}


@pytest.mark.parametrize("rule", EXCLUDED.values(), ids=EXCLUDED.keys())
def test_excluded_eni_gets_no_file(make_instance, rule):
    inst = make_instance([eni(i) for i in range(3)])
    inst.configure(f"[Interfaces]\nExclude={rule}\n")
    inst.add_devices(range(3))
    result = inst.scan()
    assert result.returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0), file_of(2)]
    assert len(log_lines(result, "eth1", "excluded")) == 1, result.stderr
    assert problem_lines(result) == []


@pytest.mark.parametrize("rule", EXCLUDED.values(), ids=EXCLUDED.keys())
def test_stale_file_of_a_newly_excluded_eni_is_removed_by_the_next_scan(make_instance, rule):
    inst = booted(make_instance, [eni(i) for i in range(3)])
    before = inst.state()["network"]
    inst.configure(f"[Interfaces]\nExclude={rule}\n")
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK
    after = inst.state()["network"]
    assert sorted(after) == [file_of(0), file_of(2)]
    assert after[file_of(0)] == before[file_of(0)] and after[file_of(2)] == before[file_of(2)]
    assert len(inst.reloads()) == 2
    # And an unplugged exclusion brings it back.
    inst.configure("[Interfaces]\nExclude=\n")
    assert inst.scan("--refresh").returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(i) for i in range(3)]
    assert len(inst.reloads()) == 3


def test_exclusion_does_not_touch_a_file_ec2net_did_not_write(make_instance):
    inst = make_instance([eni(0), eni(1)])
    impostor = inst.root.network_dir / file_of(1)
    impostor.write_text(f"[Match]\nMACAddress={mac_of(1)}\n\n[Network]\nDHCP=yes\n")
    inst.configure(f"[Interfaces]\nExclude={mac_of(1)}\n")
    inst.add_devices(range(2))
    assert inst.scan().returncode == EX_OK
    assert impostor.read_text().startswith("[Match]")


def test_manage_primary_only(make_instance):
    inst = booted(make_instance, [eni(i) for i in range(3)])
    primary = inst.state()["network"][file_of(0)]
    inst.configure("[Interfaces]\nManage=primary-only\n")
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK
    assert inst.state()["network"] == {file_of(0): primary}
    assert len(inst.reloads()) == 2
    assert len(log_lines(result, "eth1", "primary-only")) == 1, result.stderr


def test_manage_primary_only_on_a_fresh_root(make_instance):
    inst = make_instance([eni(i) for i in range(3)])
    inst.configure("[Interfaces]\nManage=primary-only\n")
    inst.add_devices(range(3))
    assert inst.scan().returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0)]
    assert inst.generated()[file_of(0)].splitlines()[0] == header(mac_of(0))


def test_manage_none_writes_nothing_and_never_reloads(make_instance):
    inst = make_instance([eni(i) for i in range(3)])
    inst.configure("[Interfaces]\nManage=none\n")
    inst.add_devices(range(3))
    for mode in ((), ("--refresh",)):
        result = inst.scan(*mode)
        assert result.returncode == EX_OK
        assert problem_lines(result) == []
    assert inst.generated() == {}
    assert not (inst.root.state_dir / "interfaces").exists()
    assert inst.reloads() == []
    assert inst.imds.stats()["requests"] == 0, "an inert ec2net asked IMDS"


# -- IMDS disabled, EFA-only ---------------------------------------------------------

FORBIDDEN = {
    "everywhere": dict(status=403),
    "metadata-only": dict(status=403, path="^/latest/meta-data"),
}


@pytest.mark.parametrize("fault", FORBIDDEN.values(), ids=FORBIDDEN.keys())
@pytest.mark.parametrize("mode", [(), ("--refresh",)], ids=["boot", "refresh"])
def test_imds_forbidden_exits_77_at_once_and_keeps_config(make_instance, fault, mode):
    inst = booted(make_instance, [eni(i) for i in range(4)])
    # IMDS now would add an IP; a fifth ENI is plugged but not configured yet.
    inst.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11", "10.1.1.99"])
    inst.imds.attach(eni(4))
    inst.add_device(4)
    before, reloads = inst.state(), inst.reloads()
    inst.imds.fault(**fault)
    inst.imds.reset_stats()
    # Bounded: a retry loop would hit this timeout (no timing assertion beyond it).
    result = inst.scan(*mode, timeout=20)
    stats = inst.imds.stats()
    print(f"IMDS traffic with 403 {fault}: {stats}")
    assert result.returncode == EX_NOPERM
    assert stats["requests"] <= 3, stats
    assert inst.state() == before
    assert inst.reloads() == reloads
    assert len(log_lines(result, "403")) == 1, result.stderr


def test_efa_only_eni_is_skipped_without_error(make_instance):
    inst = make_instance([eni(0), eni(1), efa_only_eni(2)])
    inst.add_devices(range(3))
    result = inst.scan()
    assert result.returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0), file_of(1)]
    assert problem_lines(result) == []
    assert len(log_lines(result, "eth2", "no ipv4 or ipv6 address")) == 1, result.stderr
    assert len(inst.reloads()) == 1
    # Refresh: still nothing for it, nothing rewritten, no reload.
    before = inst.state()
    assert inst.scan("--refresh").returncode == EX_OK
    assert inst.state() == before
    assert len(inst.reloads()) == 1


def test_eni_that_loses_its_last_address_loses_its_file_with_a_reload(make_instance):
    # If IMDS stops listing any address for an ENI (all unassigned, an
    # EFA-only ENI in its place), the scan removes the file it wrote; a
    # removal is a change, so networkd must be reloaded once.
    inst = booted(make_instance, [eni(0), eni(1)])
    inst.imds.set(mac_of(1), "local-ipv4s", None)
    inst.imds.set(mac_of(1), "subnet-ipv4-cidr-block", None)
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0)]
    assert len(inst.reloads()) == 2, f"file removed without a reload: {inst.reloads()}"


def test_hostname_only_does_nothing_else(make_instance):
    """--hostname-only (ec2-hostname.service): no device loop, no file, no
    reload; under --root not even the hostname (the kernel is not the tree's)."""
    inst = make_instance([eni(0), eni(1)])
    inst.add_devices(range(2))
    result = inst.scan("--hostname-only")
    assert result.returncode == EX_OK, result.stderr
    assert "hostname: not set with --root" in result.stderr
    assert inst.generated() == {}
    assert inst.reloads() == []
    assert inst.imds.stats()["requests"] == 0
