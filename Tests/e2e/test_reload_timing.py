"""A reload never lands in the middle of a link's DHCP (issue 21).

A hot-plug while the timer's `ec2-ifscan --refresh` runs: before issue 21
the plug left its reload to the still-running scan, which reloaded after
the plugged link's udev event had ended, while networkd ran DHCP on it
under the base config; networkd 252's reload then reconfigured the link
midway and could leave it 'configuring' (seen in CI; the e2e helper used to
repair it). ec2-plug now returns only after a pending reload is done.

Measured for issue 21: the old build (main at dad33cc) passes this test too
on the simulated instance, DHCP slowed to over a second included: networkd
252 recovered from each mid-DHCP reconfigure here. The test holds the
outcome (every link configured, every rule a file wants, none left
'configuring', without the helper's repair); the overlap it needs is
asserted at the end.
"""
import os
import subprocess
import time

import pytest

from scenarios import (GENERATED_DIR, assert_policy_routing, boot_and_scan, extra_eni, generated_files,
                       link_configured, one_subnet, rule_sources, two_enis_same_subnet)
from sim.simulation import LIBEXEC, binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

TRIALS = 16
# Each of the refresh's IMDS requests for the primary ENI's keys is held this
# long, so the refresh is still running when the hot-plug's udev event ends
# (7 keys: about 0.7 s); the plug lands at a different point of it in each trial.
PRIMARY_KEY_DELAY = 0.1
# The plugged ENI's device-number is there at once: with EC2's propagation
# delay of the simulation (1 s, sim.simulation.HOTPLUG_PROPAGATION) the plug
# would wait longer than the refresh runs and write after it ended, and the
# overlap this test is about would not happen (seen in a fresh-clone CI run:
# "no trial of 16 had the plug and the refresh overlap").
NO_PROPAGATION_DELAY = {"device-number-delay": 0}


def setup_states(sim):
    """{name: setup state} of every link networkd lists, lo aside."""
    states = {}
    for line in sim.instance.run(["networkctl", "list", "--no-legend", "--no-pager"]).stdout.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[1] != "lo":
            states[fields[1]] = fields[4]
    return states


def test_hotplug_during_a_refresh_leaves_every_link_configured(sim):
    subnet = sim.add_subnet(one_subnet())
    primary, secondary = two_enis_same_subnet(subnet)
    plugged = extra_eni(subnet, 2)
    # Each DHCP exchange takes over a second, so the plugged link is still in
    # DHCP (under the base config) when a reload that its plug left to the
    # refresh lands.
    sim.vpc.dhcp.reply_delay = 1
    boot_and_scan(sim, [primary, secondary])
    for eni in (primary, secondary):  # the scan's reload re-ran their DHCP under its files
        link_configured(sim, eni)
    sim.imds.fault(path=f"/macs/{primary.mac}/", delay=PRIMARY_KEY_DELAY)
    logged_before = len(sim.instance.syslog.lines())
    for trial in range(TRIALS):
        refresh = subprocess.Popen(sim.instance.command([f"{LIBEXEC}/ec2-ifscan", "--refresh"]),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=dict(os.environ, EC2NET_DRIVERS="veth"))
        try:
            time.sleep(0.02 * trial)  # where in the refresh the plug lands; asserts nothing
            sim.hotplug(plugged, imds_extra=NO_PROPAGATION_DELAY)
            output, _ = refresh.communicate(timeout=60)
        finally:
            if refresh.poll() is None:
                refresh.kill()
                refresh.wait()
        assert refresh.returncode == 0, f"trial {trial}: ec2-ifscan --refresh exit {refresh.returncode}\n{output}"
        for eni in (primary, secondary, plugged):
            link_configured(sim, eni)
        assert_policy_routing(sim, [primary, secondary, plugged])
        left = {name: state for name, state in setup_states(sim).items() if state == "configuring"}
        assert not left, f"trial {trial}: links left configuring: {left}"

        name = sim.instance.ifname_of(plugged.mac)
        sim.detach(plugged)
        wait_until(lambda: f"05-ec2net-{name}.network" not in generated_files(sim),
                   what=f"trial {trial}: {GENERATED_DIR}/05-ec2net-{name}.network removed")
        wait_until(lambda: not rule_sources(sim, plugged.route_table),
                   what=f"trial {trial}: rules for table {plugged.route_table} removed")
        assert_policy_routing(sim, [primary, secondary])

    # The trials tested what they say only if plug and refresh overlapped:
    # then one of them left the reload to the other (Outcome.deferred,
    # .reloadedByAnother).
    overlapped = [line for line in sim.instance.syslog.lines()[logged_before:]
                  if "deferred to another ec2net process" in line or "reloaded by another ec2net process" in line]
    assert overlapped, f"no trial of {TRIALS} had the plug and the refresh overlap"
