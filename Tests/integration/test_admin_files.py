"""An administrator's .network files in /etc/systemd/network (issues 14, 16):
a file about this one interface (by MAC or exact name) makes ec2net step
aside, also when it is a symlink; a file for a class of interfaces (a copy
of the base 80-ec2.network, which keeps Name=!tmp*) does not switch ec2net
off. The base-file case was measured in a real guest, where it left every
ENI without policy routing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ec2net_harness import EX_OK, EX_UNAVAILABLE, Instance, eni, file_of, mac_of

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


@pytest.mark.parametrize("match", [f"MACAddress={mac_of(1)}", f"PermanentMACAddress={mac_of(1)}", "Name=eth1"])
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
