"""Fixtures of the integration suite, on top of Tests/conftest.py's
(make_instance and what it is made of):

  make_configured   make_configured(enis=2, imds_ahead=False) -> an Instance
                    whose IMDS lists `enis` simulated ENIs (`eni()`), with eth0
                    and eth1 hot-plugged and configured by ec2-plug; the other
                    ENIs are left for the test to plug
  inst              make_configured(): eth0 and eth1, both configured

With imds_ahead IMDS then gains a secondary IPv4 on eth1 (10.1.1.99), so a
run that got through would write: the starting point of the fault cases,
where an unchanged tree means the fault stopped the run. A module wanting
that as its `inst` overrides the fixture by that name.
"""

from __future__ import annotations

from typing import Callable

import pytest

from ec2net_harness import EX_OK, Instance, eni, mac_of

# eth1's addresses once IMDS is ahead of its configuration: 10.1.1.99 is new.
AHEAD_IPS = ["10.1.1.10", "10.1.1.11", "10.1.1.99"]


@pytest.fixture
def make_configured(make_instance) -> Callable[..., Instance]:
    def make(enis: int = 2, imds_ahead: bool = False) -> Instance:
        instance = make_instance([eni(index) for index in range(enis)])
        for index in (0, 1):
            instance.add_device(index)
            assert instance.plug(index).returncode == EX_OK
        if imds_ahead:
            instance.imds.set(mac_of(1), "local-ipv4s", AHEAD_IPS)
        return instance
    return make


@pytest.fixture
def inst(make_configured) -> Instance:
    """eth0 and eth1 (simulated ENIs with `eni()`), both configured."""
    return make_configured()
