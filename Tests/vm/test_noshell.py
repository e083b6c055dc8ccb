"""Scenario 4: no shell (issues 16, 23).  The guest boots the product image
of `make image` (vm/image.py ensure_product: the test image's recipe, the
.deb installed at build time, /usr/bin/{sh,bash,dash,rbash} removed,
e2scrub_reap.service, a bash script of e2fsprogs, masked).  The
administrator's virtio settings go in and the guest reboots; scenarios 1
and 2 then hold: the boot configures every ENI, nothing failed, the timer's
refresh succeeds, and a hot-plugged NIC is configured by udev and removed on
detach.  The guest is driven by qemu-guest-agent, which execs programs
directly, so the test itself needs no shell in the guest either.
"""
from test_hotplug import hotplug_and_detach
from test_install import booted_and_refreshed
from vm import admin, image, steps


def test_no_shell_boot_hotplug_detach(vm, deb):
    product = image.ensure_product(deb)
    primary, secondary = steps.boot_two_enis(vm, image_paths=product)
    for shell in ("/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/rbash", "/bin/sh"):
        assert vm.run("/usr/bin/test", "-e", shell, check=False).returncode != 0, shell
    version = vm.run("/usr/bin/dpkg-query", "-W", "-f", "${Version} ${Status}", "ec2net").stdout
    print(f"ec2net in the image: {version}")
    assert version.endswith(" installed")
    admin.ec2net_virtio(vm)
    vm.reboot()
    booted_and_refreshed(vm, primary, secondary)
    hotplug_and_detach(vm, primary, secondary)
