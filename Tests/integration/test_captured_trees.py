"""IMDS trees captured on real instances (Tests/fixtures/imds, each file
names its source), served by the mock IMDS exactly as recorded: the real
programs must read them through HTTP into the same files the golden renderer
cases expect from the same trees (Tests/EC2NetCoreTests/Golden/cloud-init-*).

What a real tree has that hand-written ones tend not to: the macs/ listing
sorted by MAC (not by device number), keys missing with 404 rather than
empty, uncompressed IPv6 CIDRs, keys cloud-init misspelled, names with
resource-based hostnames.  Also: the same tree served with each response's
head and body in separate writes (issue 13) gives the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ec2net_harness import read_generated, run

TESTS = Path(__file__).resolve().parent.parent
TREES = TESTS / "fixtures" / "imds"
GOLDEN = TESTS / "EC2NetCoreTests" / "Golden"
CASES = {  # tree file -> golden case built from it
    "cloud-init-multi-nic-v6-only.json": "cloud-init-v6-only",
    "cloud-init-secondary-ip-2018-09-24.json": "cloud-init-secondary-ip-2018-09-24",
    "cloud-init-default-2016-09-02.json": "cloud-init-default-2016-09-02",
}


def interface_name(eni: dict) -> str:
    """As the golden cases name them: udev's ens5 for device 0 on Nitro."""
    return f"ens{5 + 100 * int(eni.get('network-card', 0)) + int(eni['device-number'])}"


@pytest.mark.parametrize("writes", ["one", "split"])
@pytest.mark.parametrize("tree", sorted(CASES))
def test_scan_of_a_captured_tree_writes_the_golden_files(tree, writes, temp_root, mock_imds, fake_networkctl):
    scenario = json.loads((TREES / tree).read_text())
    assert "_source" in scenario, f"{tree} must name where it was captured"
    for eni in scenario["interfaces"]:
        temp_root.add_link(interface_name(eni), eni["mac"], driver="ena")
    imds = mock_imds({**scenario, "response_writes": writes})

    result = run("ec2-ifscan", "-v", "--no-altnames", env=fake_networkctl.env, root=temp_root, imds=imds)

    assert result.returncode == 0, result.stderr
    expected_dir = GOLDEN / CASES[tree] / "expected"
    expected = {p.name: p.read_text() for p in sorted(expected_dir.iterdir())}
    assert read_generated(temp_root) == expected
    assert len(fake_networkctl.reloads()) == 1
    assert imds.stats()["connections"] == 1, "one keep-alive connection for the whole scan"
