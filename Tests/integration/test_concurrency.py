"""Concurrency (issue 8): 32 ec2-plug at once (32 ENIs: the primary and
device numbers 1..31) plus an ec2-ifscan --refresh converge to the same
tree as a serial run (byte-equal), with one networkd reload per burst.

The mock holds every token answer for a moment (a delay fault, as
test_plug_unplug does for 8), so all 33 processes are inside their IMDS
reads together and the burst really overlaps.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ec2net_harness import EX_OK, Instance, eni, file_of, mac_of, problem_lines, reaping, reference_files

ENI_COUNT = 32
HOLD = 2.0  # seconds each token answer is held while the burst starts


@pytest.fixture
def inst(make_instance) -> Instance:
    instance = make_instance([eni(i) for i in range(ENI_COUNT)])
    instance.add_devices(range(ENI_COUNT))
    return instance


def burst(inst: Instance) -> None:
    """32 ec2-plug and one ec2-ifscan --refresh, all at once; all must succeed."""
    inst.imds.fault(delay=HOLD, path="^/latest/api/token$", count=ENI_COUNT + 1)
    try:
        with reaping([]) as processes:
            for index in range(ENI_COUNT):
                processes.append(inst.start_plug(index))
            processes.append(inst.start_scan("--refresh"))
            results = [(p, *p.communicate(timeout=120)) for p in processes]
    finally:
        inst.imds.clear_faults()
    failed = []
    for process, stdout, stderr in results:
        if process.returncode != EX_OK or problem_lines(SimpleNamespace(stderr=stderr)):
            failed.append(f"$ {' '.join(process.args)}\n-> exit {process.returncode}\n{stdout}{stderr}")
    assert not failed, "\n".join(failed)


def test_burst_converges_to_the_serial_tree_with_one_reload_per_burst(inst, tmp_path):
    burst(inst)
    serial = reference_files(inst.imds, tmp_path / "serial-1", range(ENI_COUNT))
    assert sorted(serial) == sorted(file_of(i) for i in range(ENI_COUNT))
    assert inst.network_bytes() == serial
    assert inst.temporaries() == []
    assert len(inst.reloads()) == 1, inst.reloads()

    # Second burst: IMDS changed for a quarter of the ENIs.
    for index in range(0, ENI_COUNT, 4):
        inst.imds.set(mac_of(index), "local-ipv4s", [f"10.1.{index}.10", f"10.1.{index}.20", f"10.1.{index}.21"])
    burst(inst)
    serial = reference_files(inst.imds, tmp_path / "serial-2", range(ENI_COUNT))
    assert inst.network_bytes() == serial
    assert len(inst.reloads()) == 2, inst.reloads()

    # Third burst: nothing changed, nothing written, no reload.
    before = inst.state()
    burst(inst)
    assert inst.state() == before
    assert len(inst.reloads()) == 2, inst.reloads()
    assert not (inst.root.path / "run" / "ec2net" / "reload-pending").exists()


def test_burst_with_the_device_map_converges(inst, tmp_path):
    # The naming map (/var/lib/ec2net/interfaces) is shared by every writer:
    # after the burst it must hold one line per ENI, as after a serial run.
    burst(inst)
    lines = (inst.root.state_dir / "interfaces").read_text().splitlines()
    assert sorted(lines) == sorted(f"{mac_of(i)} device={i} card=0 eni=eni-{i + 0xabc0:017x}" for i in range(ENI_COUNT))
