#!/usr/bin/env python3
"""Boot to ready on the VM: ec2net against amazon-ec2-net-utils 2.3.0.

    python3 Tests/vm/bench_boot.py [--boots 5] [--deb out/ec2net_*.deb]

For each product: boot the cached image with two ENIs, install it with the
administrator's virtio settings (Tests/vm/vm/admin.py), then reboot BOOTS
times; each boot, poll the guest (qemu-guest-agent, every ~0.2 s) until the
last secondary ENI's policy rule `from 10.0.0.20 lookup 10001` and its
table's default route are in place, and read the guest's CLOCK_MONOTONIC
then.  Two figures per boot:

  - kernel start to ready: that monotonic time itself (CLOCK_MONOTONIC
    starts at 0 with the kernel), dominated by the guest's own boot under TCG;
  - networkd start to ready (issue 21, what the product adds to boot):
    ready minus systemd-networkd.service's ExecMainStartTimestampMonotonic
    (`systemctl show`, microseconds of CLOCK_MONOTONIC).

Both read CLOCK_MONOTONIC: the "now at N nsecs" line of /proc/timer_list,
not /proc/uptime, which is CLOCK_BOOTTIME (the same in a guest that never
suspends, but not by definition).  The poll adds up to one interval, equally
for both products.  Software emulation (TCG) inflates both alike: compare
the ratios, not the seconds.  Prints one JSON object; the figures in
bench/README.md come from it.
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Run by path, not under pytest: pytest.ini's pythonpath (Tests/support,
# where sim/imds.py finds mock_imds) does not apply.
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)

from vm import admin, checks, steps  # noqa: E402
from vm.machine import GUEST_DEB_ARCH, PROJECT_ROOT, Instance  # noqa: E402


def guest_monotonic(vm):
    """The guest's CLOCK_MONOTONIC in seconds: /proc/timer_list's "now at N
    nsecs" (ktime_get()). By exec, which survives the agent's restart early
    in boot."""
    head = vm.run("/usr/bin/head", "-n", "5", "/proc/timer_list").stdout
    match = re.search(r"^now at (\d+) nsecs", head, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no 'now at' line in /proc/timer_list: {head!r}")
    return int(match.group(1)) / 1e9


def networkd_started(vm):
    """systemd-networkd.service's main process start, CLOCK_MONOTONIC seconds."""
    value = vm.unit_property("systemd-networkd.service", "ExecMainStartTimestampMonotonic")
    if not value or int(value) == 0:
        raise RuntimeError(f"systemd-networkd.service has not started (ExecMainStartTimestampMonotonic={value!r})")
    return int(value) / 1e6


def ready_time(vm, enis, timeout=240):
    """CLOCK_MONOTONIC seconds when every secondary's policy routing is in place."""
    deadline = time.monotonic() + timeout
    secondaries = [e for e in enis if e.device_number != 0]
    while time.monotonic() < deadline:
        if all(checks.policy_routing_ok(vm, e) for e in secondaries):
            return guest_monotonic(vm)
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
        kernel_to_ready, networkd_to_ready = [], []
        for _ in range(boots):
            vm.reboot()
            ready = ready_time(vm, [primary, secondary])
            kernel_to_ready.append(round(ready, 3))
            networkd_to_ready.append(round(ready - networkd_started(vm), 3))
            checks.wait_boot_finished(vm)
        return kernel_to_ready, networkd_to_ready


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=5)
    parser.add_argument("--deb", default=None)
    args = parser.parse_args()
    deb = args.deb or sorted(glob.glob(os.path.join(PROJECT_ROOT, "out", f"ec2net_*_{GUEST_DEB_ARCH}.deb")))[-1]
    result = {}
    for product in ("ec2net", "amazon-ec2-net-utils"):
        kernel_to_ready, networkd_to_ready = measure(product, deb, args.boots)
        result[product] = {"kernel_to_ready": kernel_to_ready, "median": statistics.median(kernel_to_ready),
                           "networkd_to_ready": networkd_to_ready,
                           "networkd_median": statistics.median(networkd_to_ready)}
        print(product, result[product], file=sys.stderr, flush=True)
    result["deb"] = os.path.basename(deb)
    result["ratio"] = result["amazon-ec2-net-utils"]["median"] / result["ec2net"]["median"]
    result["networkd_ratio"] = (result["amazon-ec2-net-utils"]["networkd_median"]
                                / result["ec2net"]["networkd_median"])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
