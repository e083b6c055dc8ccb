"""Fail closed (issue 21): an error is never "absent", a reload is never lost.

The real programs against a temporary root, the mock IMDS and the
networkctl stand-in (which counts reloads and can be made to fail):

- IMDS lists `local-ipv4s` for a MAC and then answers 404 for it, or 200
  with an empty body (the IMDS propagation inconsistency of issue 21, both
  variants tried on the simulated instance there): the ENI's file survives,
  exit 75, no reload; healed, the next run says "up to date".
- /sys/class/net unreadable (a file in its place: ENOTDIR even for root),
  or one device's `address` unreadable (a directory: EISDIR): exit 74,
  nothing removed.
- A foreign file at ec2net's name for eth2 and a new secondary IPv4 on eth1
  in one scan (issue 21's table, row 3): eth1's file is rewritten and
  reloaded although the scan then fails (73).
- `networkctl reload` fails: exit 71, `reload-pending` kept, and the next
  run reloads even though it changed nothing itself.

Run after `swift build`:
    EC2NET_BUILD_DIR=.build/debug python3 -m pytest -q Tests/integration/test_fail_closed.py
"""

from __future__ import annotations

import shutil

import pytest

from ec2net_harness import (
    EX_CANTCREAT,
    EX_OK,
    EX_TEMPFAIL,
    Instance,
    file_of,
    iface_of,
    mac_of,
)

EX_OSERR, EX_IOERR = 71, 74
NEW_IPS = ["10.1.1.10", "10.1.1.11", "10.1.1.99"]


def pending(inst: Instance):
    return inst.root.path / "run" / "ec2net" / "reload-pending"


@pytest.mark.parametrize("fault", [{"status": 404}, {"body": ""}], ids=["listed-then-404", "listed-then-empty"])
@pytest.mark.parametrize("tool", ["ec2-ifscan", "ec2-plug"])
def test_a_listed_key_that_then_fails_keeps_the_config(inst, tool, fault):
    # IMDS propagation inconsistency (issue 21): the listing advertises
    # local-ipv4s, the key itself answers 404 or nothing.
    before = inst.state()
    reloads = len(inst.reloads())
    inst.imds.fault(path=f"/{mac_of(1)}/local-ipv4s$", **fault)
    # The plug waits for it like a propagation; keep that wait short.
    extra = ("--refresh",) if tool == "ec2-ifscan" else ("--device-number-timeout", "0.3")
    result = inst.run(tool, *extra, *([] if tool == "ec2-ifscan" else [iface_of(1)]))
    assert result.returncode == EX_TEMPFAIL, result.stderr
    assert "local-ipv4s (listed, but answered 404 or empty)" in result.stderr
    assert inst.state() == before, "the ENI's file must survive an IMDS inconsistency"
    assert len(inst.reloads()) == reloads
    assert not pending(inst).exists()

    inst.imds.clear_faults()
    healed = inst.scan("--refresh")
    assert healed.returncode == EX_OK, healed.stderr
    assert f"{iface_of(1)} ({mac_of(1)}): config up to date" in healed.stderr
    assert inst.state() == before


def test_unreadable_class_net_removes_nothing(inst):
    before = inst.state()
    net = inst.root.sysfs / "class" / "net"
    shutil.rmtree(net)
    net.write_text("not a directory\n")  # ENOTDIR for everyone, root included
    result = inst.scan("--refresh")
    assert result.returncode == EX_IOERR, result.stderr
    assert "nothing removed" in result.stderr
    assert inst.state() == before


def test_one_unreadable_address_removes_nothing(inst):
    before = inst.state()
    inst.remove_device(1)  # eth1 gone: a scan would remove its file...
    address = inst.root.sysfs / "class" / "net" / iface_of(0) / "address"
    address.unlink()
    address.mkdir()  # ...but eth0's address cannot be read (EISDIR): the list is unknown
    result = inst.scan("--refresh")
    assert result.returncode == EX_IOERR, result.stderr
    assert inst.state() == before

    address.rmdir()
    address.write_text(mac_of(0) + "\n")
    result = inst.scan("--refresh")
    assert result.returncode == EX_OK, result.stderr
    assert file_of(1) not in inst.generated(), "positively gone now: removed"


def test_a_scan_that_fails_midway_still_reloads_what_it_changed(make_configured):
    # Issue 21, row 3: a foreign file at ens7's name and a new secondary
    # IPv4 on ens6 in one scan, tried on the simulated instance.
    inst = make_configured(enis=3)
    inst.add_device(2)
    (inst.root.network_dir / file_of(2)).write_text("[Match]\nName=eth2\n")
    inst.imds.set(mac_of(1), "local-ipv4s", NEW_IPS)
    reloads = len(inst.reloads())

    result = inst.scan()
    assert result.returncode == EX_CANTCREAT, result.stderr
    assert "10.1.1.99/32" in inst.generated()[file_of(1)], "eth1's file rewritten"
    assert len(inst.reloads()) == reloads + 1, "what the scan changed before the throw is reloaded"
    assert not pending(inst).exists()


def test_a_failed_reload_is_an_error_and_stays_pending(inst):
    inst.imds.set(mac_of(1), "local-ipv4s", NEW_IPS)
    inst.networkctl.fail()
    result = inst.scan("--refresh")
    assert result.returncode == EX_OSERR, result.stderr
    assert "networkd reload failed" in result.stderr
    assert pending(inst).exists(), "the marker stays for the next run"
    assert inst.networkctl.reloads()[-1].startswith("failed ")

    inst.networkctl.fail(False)
    succeeded = len(inst.networkctl.succeeded())
    result = inst.scan("--refresh")  # changes nothing itself
    assert result.returncode == EX_OK, result.stderr
    assert "config up to date" in result.stderr
    assert len(inst.networkctl.succeeded()) == succeeded + 1, "the next run performs the pending reload"
    assert not pending(inst).exists()
