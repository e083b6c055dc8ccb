"""Scenario 7: the .rpm in a guest without a shell (issue 23).

Debian's rpm (its .debs stashed in the image, vm/image.py) is installed,
then every shell is removed (/usr/bin/{sh,bash,dash,rbash}), and rpm itself
runs the transactions and their Lua scriptlets: install of N-1 (0.0.9, the
same sources with two marked files, vm/previous.py), upgrade to N, a reboot
into working policy routing, erase.  `--nodeps` throughout: the rpm database
of a Debian guest is empty, so systemd, systemd-networkd and udev (dpkg's
packages here) are not known to rpm.  On Amazon Linux they are RPMs and
dnf resolves them; what is shown here is that nothing needs /bin/sh.
`--dbpath /var/lib/rpm` throughout: Debian's rpm computes its default
database path with a shell (`%_dbpath %(bash -c 'echo ~/.rpmdb')` in
/usr/lib/rpm/macros), which fails without one; Fedora's and Amazon Linux's
rpm have a fixed path.
"""
import pytest

from sim.wait import wait_until

from test_upgrade import UNITS
from vm import admin, checks, previous, steps


@pytest.fixture(scope="module")
def rpms(deb):
    import glob
    import os

    from vm.machine import GUEST_RPM_ARCH, PROJECT_ROOT
    current = os.environ.get("EC2NET_RPM") or (sorted(glob.glob(os.path.join(PROJECT_ROOT, "out", f"ec2net-*.{GUEST_RPM_ARCH}.rpm")),
                                                      key=os.path.getmtime) or [None])[-1]
    if not current:
        pytest.skip("no out/ec2net-*.rpm (make rpm) and EC2NET_RPM not set")
    return previous.rpm(current), current


def put(vm, path, target):
    with open(path, "rb") as f:
        vm.qemu.agent.write_file(target, f.read())
    return target


DBPATH = ("--dbpath", "/var/lib/rpm")


def rpm(vm, *args):
    result = vm.run("/usr/bin/rpm", *DBPATH, *args, timeout=300)
    output = "\n".join(line for line in (result.stdout + result.stderr).splitlines()
                       if "use Alien instead" not in line and "what you are doing" not in line)
    print(f"rpm {' '.join(args)}:\n{output}")
    return output


def test_rpm_install_upgrade_reboot_erase_without_shell(vm, rpms):
    previous_rpm, current_rpm = rpms
    primary, secondary = steps.boot_two_enis(vm)
    debs = sorted(vm.run("/usr/bin/find", "/opt/ec2net-vm/debs/rpm", "-name", "*.deb").stdout.split())
    assert debs, "Debian's rpm is stashed in the image (vm/image.py)"
    vm.run("/usr/bin/dpkg", "-i", *debs, timeout=600)
    admin.ec2net_virtio(vm)
    steps.remove_shells(vm)
    vm.run("/usr/bin/mkdir", "-p", "/var/lib/rpm")
    vm.run("/usr/bin/rpm", *DBPATH, "--initdb")

    rpm(vm, "-i", "--nodeps", put(vm, previous_rpm, "/var/tmp/ec2net-previous.rpm"))
    checks.wait_policy_routing(vm, [primary, secondary])
    print("ec2-ifscan after the install:\n" + vm.journal("-u", "ec2-ifscan.service", "-t", "ec2net", "-t", "systemd"))
    assert vm.unit_property("ec2-ifscan.timer", "Description").endswith(previous.PREVIOUS_MARK)
    print("scriptlets of the installed package:\n" + "\n".join(
        line for line in vm.run("/usr/bin/rpm", *DBPATH, "-q", "--scripts", "ec2net").stdout.splitlines() if "scriptlet" in line))

    rpm(vm, "-U", "--nodeps", put(vm, current_rpm, "/var/tmp/ec2net.rpm"))
    assert vm.run("/usr/bin/rpm", *DBPATH, "-q", "ec2net").stdout.strip().startswith("ec2net-0.1.0")
    for unit in UNITS:
        assert vm.unit_property(unit, "NeedDaemonReload") == "no", unit
    assert not vm.unit_property("ec2-ifscan.timer", "Description").endswith(previous.PREVIOUS_MARK)
    assert "fd00:ec2::254" in vm.unit_property("systemd-udevd.service", "IPAddressAllow")
    checks.wait_policy_routing(vm, [primary, secondary])
    status = vm.run("/usr/sbin/ec2net", "status", check=False)
    print(f"ec2net status (PATH name, exit {status.returncode}):\n{status.stdout}")

    vm.reboot()
    for shell in ("/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/bin/sh"):
        assert vm.run("/usr/bin/test", "-e", shell, check=False).returncode != 0, shell
    rules = checks.wait_policy_routing(vm, [primary, secondary])
    print("after reboot:\n" + "\n".join(rules))
    assert checks.no_primary_rules(vm, primary)
    checks.wait_boot_finished(vm)
    assert vm.failed_units() == [], vm.failed_units()
    assert checks.unit_succeeded(vm, "ec2-ifscan.service")[0]
    assert vm.ifname_of(primary.mac) == vm.default_route()["dev"]

    rpm(vm, "-e", "--nodeps", "ec2net")
    for gone in ("/usr/libexec/ec2net", "/usr/sbin/ec2net", "/var/lib/ec2net", "/run/ec2net"):
        assert vm.run("/usr/bin/test", "-e", gone, check=False).returncode != 0, gone
    assert vm.run("/usr/bin/find", "/run/systemd/network", "-name", "05-ec2net-*").stdout.strip() == ""
    wait_until(lambda: vm.run("/usr/bin/systemctl", "is-active", "ec2-ifscan.timer", check=False).stdout.strip()
               != "active", timeout=30, what="timer stopped")
    # No unit file matches any more (systemctl then exits 1).
    assert vm.run("/usr/bin/systemctl", "list-unit-files", "--no-legend", "ec2-*", check=False).stdout.strip() == ""
    assert vm.failed_units() == [], vm.failed_units()
