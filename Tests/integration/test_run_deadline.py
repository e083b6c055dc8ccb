"""One deadline per run (issue 21): ec2-plug ends by its run's deadline
whatever IMDS does. The test hook EC2NET_DEADLINE_SECONDS (which can only
shorten the 60 s udev budget) sets it to 2 s; the mock IMDS answers every
request after 1.5 s, within the client's own request timeout, so without
the deadline the run would go on for many seconds (one request after
another). With it the run fails as "try later" (75; from udev the
hand-over exit 0), says the deadline ended it, and keeps the config.

Run from the repository root after `swift build`:
    python3 -m pytest Tests/integration/test_run_deadline.py
"""

from __future__ import annotations

import pytest

from ec2net_harness import EX_OK, EX_TEMPFAIL, Instance, eni, mac_of, problem_lines


@pytest.fixture
def inst(make_instance) -> Instance:
    """eth0 and eth1 configured; then IMDS gained a secondary IP on eth1,
    so a run that got through would write (as in test_fault_matrix)."""
    instance = make_instance([eni(0), eni(1)])
    for index in (0, 1):
        instance.add_device(index)
        assert instance.plug(index).returncode == EX_OK
    instance.imds.set(mac_of(1), "local-ipv4s", ["10.1.1.10", "10.1.1.11", "10.1.1.99"])
    return instance


def test_plug_ends_at_the_runs_deadline_and_keeps_config(inst):
    before, reloads = inst.state(), inst.reloads()
    inst.extra_env["EC2NET_DEADLINE_SECONDS"] = "2"
    inst.imds.fault(delay=1.5)
    result = inst.plug(1)
    inst.imds.clear_faults()
    assert result.returncode == EX_TEMPFAIL
    lines = problem_lines(result)
    assert len(lines) == 1, result.stderr
    assert "deadline ended it" in lines[0], lines[0]
    assert inst.state() == before, "the generated tree changed"
    assert inst.reloads() == reloads, "networkd was reloaded"
    assert inst.temporaries() == []
