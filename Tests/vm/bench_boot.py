#!/usr/bin/env python3
"""Boot to ready on the VM: ec2net against amazon-ec2-net-utils 2.3.0.

    python3 Tests/vm/bench_boot.py [--boots 3] [--deb out/ec2net_*.deb]

For each product: boot the cached image with two ENIs, install it with the
administrator's virtio settings (Tests/vm/vm/admin.py), then reboot BOOTS
times; each boot, poll the guest (qemu-guest-agent, every ~0.2 s) until the
secondary ENI's policy rule `from 10.0.0.20 lookup 10001` and its table's
default route are in place, and read /proc/uptime: seconds from kernel start
to ready (the poll adds up to one interval, equally for both).  Software
emulation (TCG) inflates both alike: compare the ratio, not the seconds.
Prints one JSON object; the figures in bench/README.md come from it.
"""
import argparse
import glob
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)

from vm import admin, checks, steps  # noqa: E402
from vm.machine import GUEST_DEB_ARCH, PROJECT_ROOT, Instance  # noqa: E402


def ready_time(vm, enis, timeout=240):
    deadline = time.monotonic() + timeout
    secondaries = [e for e in enis if e.device_number != 0]
    while time.monotonic() < deadline:
        if all(checks.policy_routing_ok(vm, e) for e in secondaries):
            # By exec, which survives the agent's restart early in boot.
            return float(vm.run("/usr/bin/cat", "/proc/uptime").stdout.split()[0])
        time.sleep(0.2)
    raise TimeoutError("policy routing not in place")


def measure(product, deb, boots):
    with Instance(name=f"bench-{product}") as vm:
        primary, secondary = steps.boot_two_enis(vm)
        if product == "ec2net":
            steps.install_ec2net(vm, deb)
        else:
            upstream = vm.run("/usr/bin/find", "/opt/ec2net-vm/debs", "-name", "amazon-ec2-net-utils_*.deb").stdout
            vm.run("/usr/bin/dpkg", "-i", upstream.split()[0], timeout=300)
            admin.upstream_virtio(vm)
        times = []
        for _ in range(boots):
            vm.reboot()
            times.append(ready_time(vm, [primary, secondary]))
            checks.wait_boot_finished(vm)
        return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=3)
    parser.add_argument("--deb", default=None)
    args = parser.parse_args()
    deb = args.deb or sorted(glob.glob(os.path.join(PROJECT_ROOT, "out", f"ec2net_*_{GUEST_DEB_ARCH}.deb")))[-1]
    result = {}
    for product in ("ec2net", "amazon-ec2-net-utils"):
        times = measure(product, deb, args.boots)
        result[product] = {"boots": times, "median": statistics.median(times)}
        print(product, times, file=sys.stderr)
    result["ratio"] = result["amazon-ec2-net-utils"]["median"] / result["ec2net"]["median"]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
