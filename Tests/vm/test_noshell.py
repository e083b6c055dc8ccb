"""Scenario 4: no shell (issue 16).  After installing, every shell is
removed from the guest (/usr/bin/{sh,bash,dash,rbash}); e2scrub_reap.service,
a bash script of e2fsprogs, is masked.  Scenarios 1 and 2 still hold: the
boot configures every ENI, nothing failed, the timer's refresh succeeds, and
a hot-plugged NIC is configured by udev and removed on detach.  The guest is
driven by qemu-guest-agent, which execs programs directly, so the test
itself needs no shell in the guest either.
"""
from test_hotplug import hotplug_and_detach
from test_install import booted_and_refreshed
from vm import checks, steps


def test_no_shell_boot_hotplug_detach(vm, deb):
    primary, secondary = steps.boot_two_enis(vm)
    steps.install_ec2net(vm, deb)
    checks.wait_policy_routing(vm, [primary, secondary])
    steps.remove_shells(vm)
    vm.reboot()
    for shell in ("/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/rbash", "/bin/sh"):
        assert vm.run("/usr/bin/test", "-e", shell, check=False).returncode != 0, shell
    booted_and_refreshed(vm, primary, secondary)
    hotplug_and_detach(vm, primary, secondary)
