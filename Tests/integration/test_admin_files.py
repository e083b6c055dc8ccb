"""An administrator's .network files in /etc/systemd/network (issues 14, 16):
a file about this one interface (by MAC or exact name) makes ec2net step
aside, also when it is a symlink; a file for a class of interfaces (a copy
of the base 80-ec2.network, which keeps Name=!tmp*) does not switch ec2net
off. The base-file case was measured in a real guest, where it left every
ENI without policy routing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ec2net_harness import EX_CANTCREAT, EX_CONFIG, EX_OK, EX_UNAVAILABLE, Instance, eni, file_of, mac_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def inst(make_instance) -> Instance:
    instance = make_instance([eni(i) for i in range(2)])
    instance.add_devices(range(2))
    return instance


def admin_dir(inst) -> Path:
    d = inst.root.path / "etc" / "systemd" / "network"
    d.mkdir(parents=True, exist_ok=True)
    return d


def hyphen_form(mac):
    return mac.replace(":", "-").upper()


def dot_form(mac):
    b = mac.replace(":", "")
    return f"{b[0:4]}.{b[4:8]}.{b[8:12]}"


# Issue 20: every form systemd.network(5) documents for MACAddress= is a
# claim (the hyphen form was measured not to be one before).
@pytest.mark.parametrize("match", [f"MACAddress={mac_of(1)}", f"MACAddress={hyphen_form(mac_of(1))}",
                                   f"MACAddress={dot_form(mac_of(1))}", "Name=eth1",
                                   f"Name=eth9\nMACAddress=\nMACAddress=02:00:00:00:99:99 {hyphen_form(mac_of(1))}\nName=\n"])
def test_a_file_about_the_interface_claims_it(inst, match):
    assert inst.plug(1).returncode == EX_OK
    (admin_dir(inst) / "50-mine.network").write_text(f"[Match]\n{match}\n\n[Network]\nDHCP=no\n")
    result = inst.plug(1)
    assert result.returncode == EX_UNAVAILABLE, result.stderr
    assert "50-mine.network claims it" in result.stderr
    assert not (inst.root.network_dir / file_of(1)).exists(), "ec2net's own file is removed"


def test_a_symlinked_admin_file_claims_it(inst, tmp_path):
    site = tmp_path / "site" / "eth1.network"
    site.parent.mkdir()
    site.write_text(f"[Match]\nMACAddress={mac_of(1)}\n\n[Network]\nDHCP=no\n")
    (admin_dir(inst) / "10-eth1.network").symlink_to(site)
    assert inst.plug(1).returncode == EX_UNAVAILABLE
    assert not (inst.root.network_dir / file_of(1)).exists()
    assert site.read_text().startswith("[Match]"), "never written through"


def test_a_copy_of_the_base_file_is_no_claim(inst):
    base = (REPO / "units" / "80-ec2.network").read_text().replace("Driver=ena ixgbevf vif", "Driver=ena ixgbevf vif virtio_net")
    (admin_dir(inst) / "80-ec2.network").write_text(base)
    (admin_dir(inst) / "60-wild.network").write_text("[Match]\nName=eth*\n\n[Network]\nDHCP=yes\n")
    (admin_dir(inst) / "61-not-eth0.network").write_text("[Match]\nName=!eth0\n\n[Network]\nDHCP=yes\n")
    result = inst.plug(1)
    assert result.returncode == EX_OK, result.stderr
    assert (inst.root.network_dir / file_of(1)).exists()
    assert inst.scan().returncode == EX_OK
    assert sorted(p.name for p in inst.root.network_dir.iterdir() if p.name.startswith("05-")) == [file_of(0), file_of(1)]


# --- issue 20: read as networkd reads it; unreadable is an error ---------------------
def test_a_symlinked_admin_directory_is_read(inst, tmp_path):
    site = tmp_path / "site-network"
    site.mkdir()
    (site / "50-mine.network").write_text(f"[Match]\nMACAddress={hyphen_form(mac_of(1))}\n\n[Network]\nDHCP=no\n")
    network = inst.root.path / "etc" / "systemd" / "network"
    shutil.rmtree(network, ignore_errors=True)
    network.parent.mkdir(parents=True, exist_ok=True)
    network.symlink_to(site)
    result = inst.plug(1)
    assert result.returncode == EX_UNAVAILABLE, result.stderr
    assert "50-mine.network claims it" in result.stderr
    assert not (inst.root.network_dir / file_of(1)).exists()


def test_a_drop_in_completes_the_claim(inst):
    """The file alone is a class match; its drop-in in /run names the MAC
    (networkd parses drop-ins into the same [Match])."""
    (admin_dir(inst) / "50-class.network").write_text("[Match]\nDriver=*\n\n[Network]\nDHCP=no\n")
    assert inst.plug(1).returncode == EX_OK
    dropin = inst.root.path / "run" / "systemd" / "network" / "50-class.network.d"
    dropin.mkdir(parents=True)
    (dropin / "10-mac.conf").write_text(f"[Match]\nMACAddress={dot_form(mac_of(1))}\n")
    result = inst.plug(1)
    assert result.returncode == EX_UNAVAILABLE, result.stderr
    assert not (inst.root.network_dir / file_of(1)).exists()


def test_a_masked_admin_file_claims_nothing(inst, tmp_path):
    (admin_dir(inst) / "50-mine.network").symlink_to("/dev/null")
    empty = admin_dir(inst) / "51-empty.network"
    empty.write_text("")
    assert inst.plug(1).returncode == EX_OK
    assert (inst.root.network_dir / file_of(1)).exists()


def test_permanent_mac_needs_the_kernel(inst):
    """Under --root there is no kernel to ask for a permanent address
    (ethtool), so PermanentMACAddress= selects nothing there; on a host, ENA
    reports its MAC and the file claims (NetworkMatchTests)."""
    (admin_dir(inst) / "50-mine.network").write_text(f"[Match]\nPermanentMACAddress={mac_of(1)}\n")
    assert inst.plug(1).returncode == EX_OK


@pytest.mark.parametrize("breakage", ["loop", "directory-is-a-file"])
def test_unreadable_admin_configuration_is_an_error_and_nothing_is_written(inst, breakage):
    """Never "no claim": ec2net's file would win over the admin's. The exit
    code is 78 (EX_CONFIG), as for an unreadable ec2net.conf."""
    network = inst.root.path / "etc" / "systemd" / "network"
    if breakage == "loop":
        (admin_dir(inst) / "50-mine.network").symlink_to("50-mine.network")
        named = "50-mine.network"
    else:
        shutil.rmtree(network, ignore_errors=True)
        network.parent.mkdir(parents=True, exist_ok=True)
        network.write_text("not a directory\n")
        named = "etc/systemd/network"
    result = inst.plug(1)
    assert result.returncode == EX_CONFIG, result.stderr
    assert named in result.stderr
    assert not (inst.root.network_dir / file_of(1)).exists(), "nothing written"
    assert inst.scan().returncode == EX_CONFIG
    assert not (inst.root.network_dir / file_of(0)).exists()
