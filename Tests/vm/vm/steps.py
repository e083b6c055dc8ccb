"""Steps the scenarios share."""
from . import admin, checks
from .machine import eni


def boot_two_enis(vm, append="", image_paths=None):
    primary, secondary = eni(0, vm.subnet), eni(1, vm.subnet)
    vm.boot([primary, secondary], append=append, image_paths=image_paths)
    return primary, secondary


def install_ec2net(vm, deb, network="dropin"):
    """The administrator's virtio settings, then `dpkg -i` on the running guest
    (postinst's systemd-is-running branch: it starts ec2-ifscan.service)."""
    admin.ec2net_virtio(vm, network=network)
    result = vm.install_deb(deb, "ec2net.deb")
    return result


def remove_shells(vm):
    """Scenario 4: no shell left in the guest (e2scrub_reap.service, a bash
    script of e2fsprogs, is masked: it is not ec2net's)."""
    vm.run("/usr/bin/systemctl", "mask", "e2scrub_reap.service")
    vm.run("/usr/bin/rm", "-f", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/rbash",
           "/bin/sh", "/bin/bash", "/bin/dash", "/bin/rbash")
    for shell in ("/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/rbash"):
        assert vm.run("/usr/bin/test", "-e", shell, check=False).returncode != 0, shell
