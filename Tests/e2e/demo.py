#!/usr/bin/env python3
"""ec2net on a simulated EC2 instance: `make demo` (root).

Starts an instance with 3 ENIs in a simulated VPC (network namespaces,
dnsmasq, a mock IMDS, real udevd and networkd; see Tests/e2e/README.md),
runs the boot scan, hot-plugs a fourth ENI, shows what the kernel ended up
with and what ec2net logged, and ends with `ec2net status`: healthy, with a
rule deleted by hand, and healthy again.  Everything is torn down at the end, also on
failure or Ctrl-C.  Exit 0 when the end state is right, 1 when not, 2 when
the demo cannot run here.
"""
import os
import signal
import sys
import time

if __name__ == "__main__":
    # Run by path (`make demo`, by hand), not under pytest: this directory is
    # first on sys.path, but pytest.ini's pythonpath does not apply, and the
    # simulation's mock IMDS client (sim/imds.py) is Tests/support/mock_imds.py.
    sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

import cleanup  # noqa: E402
from scenarios import (assert_policy_routing, extra_eni, generated_files, link_configured, one_subnet,  # noqa: E402
                       three_enis_same_subnet)
from sim.simulation import Simulation, binaries_present, build_dir, missing_requirements  # noqa: E402
from sim.wait import wait_until  # noqa: E402


def heading(text):
    print(f"\n=== {text} " + "=" * max(0, 70 - len(text)), flush=True)


def show(sim, *argv):
    print(f"$ {' '.join(argv)}")
    print(sim.instance.run(list(argv)).stdout.rstrip() or "(nothing)", flush=True)


def status_until(sim, code):
    """`ec2net status` once it exits `code` (networkd applies files asynchronously), printed."""
    wait_until(lambda: sim.ec2net("ec2net", "status").returncode == code, timeout=30,
               what=f"ec2net status exits {code}")
    result = sim.ec2net("ec2net", "status")
    print(f"$ ec2net status\n{result.stdout.rstrip()}\n(exit {result.returncode})", flush=True)


def cannot_run():
    reason = missing_requirements()
    if reason:
        return f"the demo {reason} (sudo make demo: as root, installing what is missing)"
    if not binaries_present():
        return f"ec2net binaries not built in {build_dir()} (make release)"
    return None


def demo(sim):
    started = time.monotonic()
    subnet = sim.add_subnet(one_subnet())
    enis = list(three_enis_same_subnet(subnet))
    fourth = extra_eni(subnet, 3)

    heading("1. Boot: an instance with 3 ENIs in subnet 10.0.0.0/24")
    for eni in enis:
        print(f"  {eni.mac}  device-number {eni.device_number}  {', '.join(eni.ipv4)}  (kernel name {eni.kernel_name})")
    sim.boot(enis)
    for eni in enis:
        link_configured(sim, eni)
    print("udevd, networkd and DHCP are up; every ENI has its DHCP address (base config 80-ec2.network).")

    heading("2. Boot scan: ec2-ifscan")
    result = sim.ec2net("ec2-ifscan")
    print(f"ec2-ifscan exited {result.returncode}")
    assert_policy_routing(sim, enis)

    heading(f"3. Hotplug: a fourth ENI ({fourth.mac}, device-number 3, {fourth.ipv4[0]})")
    sim.hotplug(fourth)
    link_configured(sim, fourth)
    enis.append(fourth)
    assert_policy_routing(sim, enis)
    print("udev ran ec2-ifname and ec2-plug for it; no scan was run.")

    heading("4. Policy rules (no rule for the primary ENI)")
    show(sim, "ip", "rule")
    heading("5. Per-ENI route tables")
    for eni in enis[1:]:
        show(sim, "ip", "route", "show", "table", str(eni.route_table))
    heading("6. Main table and addresses")
    show(sim, "ip", "route")
    show(sim, "ip", "-br", "addr")
    heading("7. Generated networkd files (/run/systemd/network)")
    for name in generated_files(sim):
        print(f"  {name}")
    heading("8. What ec2net logged (the instance's syslog)")
    for line in sim.instance.syslog.lines():
        print(f"  {line}")

    heading("9. ec2net status: what each ENI should have, and what the kernel has")
    status_until(sim, 0)
    rule = ["from", enis[1].ipv4[0], "lookup", str(enis[1].route_table), "priority", str(enis[1].route_table)]
    heading("10. One rule deleted by hand: ec2net status names it (exit 1)")
    print(f"$ ip rule del {' '.join(rule)}")
    sim.instance.run(["ip", "rule", "del", *rule])
    status_until(sim, 1)
    heading("11. networkctl reconfigure puts it back")
    name = sim.instance.ifname_of(enis[1].mac)
    show(sim, "networkctl", "reconfigure", name)
    status_until(sim, 0)

    heading("Result")
    assert_policy_routing(sim, enis)  # the end state, once more
    print(f"OK: {len(enis)} ENIs configured, tables {', '.join(str(e.route_table) for e in enis[1:])}; "
          f"{time.monotonic() - started:.1f}s")


def main():
    reason = cannot_run()
    if reason:
        print(f"demo: {reason}", file=sys.stderr)
        return 2

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupt)
    cleanup.clean(verbose=False)  # leftovers of a killed earlier run
    print(f"ec2net demo: binaries from {build_dir()}")
    status = 1
    try:
        with Simulation() as sim:
            try:
                demo(sim)
                status = 0
            except AssertionError as error:
                heading("Result")
                print(f"FAILED: {error}\n\nrun dir: {sim.run_dir}\n{sim.logs()}")
    finally:
        heading("Torn down: every process stopped, both namespaces deleted")
    return status


if __name__ == "__main__":
    sys.exit(main())
