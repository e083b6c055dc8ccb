"""The guest image: Debian bookworm with systemd as PID 1, built once and cached.

    paths = image.ensure()   # {"rootfs": ..., "kernel": ..., "initrd": ...}

Built with mmdebstrap (minbase + the packages below), turned into an ext4
file system image with `mkfs.ext4 -d`, and kept under
/var/cache/ec2net-vm/<hash of this file's build inputs> (EC2NET_VM_CACHE
overrides the base), outside the repository.  Tests never write to it: each
boot gets a qcow2 overlay (qemu.Overlay) backed by the raw image.

What the image is (and what an EC2 AMI has that it lacks) is listed in
Tests/vm/README.md.  ec2net itself is NOT in the test image: the tests install
the .deb of `make deb` into the running guest, as an administrator would.

`make image` (README "Image") builds the product from the same recipe: the
same packages and hooks, without the tests' stash in /opt/ec2net-vm, with
ec2net's .deb installed at build time (dpkg in the build chroot, while it
still has a shell) and then every shell removed:

    python3 Tests/vm/vm/image.py --deb out/ec2net_0.1.0_amd64.deb --out out/image
    ensure_product(deb)      # the same, cached; test_noshell.py boots it
"""
import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

CACHE_BASE = os.environ.get("EC2NET_VM_CACHE", "/var/cache/ec2net-vm")
SUITE = "bookworm"
MIRROR = os.environ.get("EC2NET_VM_MIRROR", "http://deb.debian.org/debian")
SIZE = "1600M"

# systemd as PID 1, udev, networkd (part of systemd), the cloud kernel;
# qemu-guest-agent is how the tests drive the guest without a shell (it
# execs argv directly: guest-exec); curl is amazon-ec2-net-utils' dependency,
# present on any AMI.
PACKAGES = ["systemd", "systemd-sysv", "udev", "dbus", "iproute2", "linux-image-cloud-amd64",
            "initramfs-tools", "qemu-guest-agent", "curl", "ca-certificates"]
# Downloaded into /opt/ec2net-vm/debs but not installed: the peer for the
# migration scenario and the side-by-side boot figures.
STASHED = ["amazon-ec2-net-utils"]
# Downloaded with their dependencies into /opt/ec2net-vm/debs/rpm, not
# installed: Debian's rpm, for the RPM scenario (test_rpm.py), which installs
# them before it removes the shells (rpm's own maintainer scripts need one).
STASHED_WITH_DEPENDENCIES = ["rpm"]
# What the product image lacks that a shell-free system has no use for: the
# shells themselves. e2scrub_reap.service is a bash script of e2fsprogs.
SHELLS = ["usr/bin/sh", "usr/bin/bash", "usr/bin/dash", "usr/bin/rbash"]
MASKED_IN_PRODUCT = ["e2scrub_reap.service"]

# The generic DHCP configuration of the image (a cloud image has one, from
# cloud-init or the image build): DHCP on every PCI Ethernet link. ec2net's
# base file (80-) sorts before it, so it only applies to what ec2net leaves
# alone, and it is what remains after `apt-get purge ec2net`.
# Path=, not a catch-all on Type= alone: networkd may look at a link while
# udev renames it ([Naming] Mode=device-index), without its udev properties,
# and would then take it with a file that matches without them; Path= needs
# them. Not Name=en*: ec2net (before the NetworkMatch fix) takes any Name=
# match in /etc/systemd/network for a claim and steps aside.
DHCP_NETWORK = """\
# Image default (Tests/vm/vm/image.py): DHCP on PCI Ethernet links.
[Match]
Type=ether
Kind=!*
Path=pci-*

[Network]
DHCP=yes
"""

# The tests' stash: packages in /opt/ec2net-vm/debs, not installed (not in the product).
STASH_HOOKS = [
    ("--customize-hook", 'mkdir -p "$1/opt/ec2net-vm/debs" && chroot "$1" sh -c '
                         '"cd /opt/ec2net-vm/debs && apt-get download ' + " ".join(STASHED) + '"'),
    # The archive cache first emptied: it still holds every .deb the image was
    # built from, which would be stashed (and reinstalled) too.
    ("--customize-hook", 'rm -f "$1"/var/cache/apt/archives/*.deb && '
                         'chroot "$1" apt-get install -y -qq --download-only --no-install-recommends '
                         + " ".join(STASHED_WITH_DEPENDENCIES) + ' && mkdir -p "$1/opt/ec2net-vm/debs/rpm" && '
                         'mv "$1"/var/cache/apt/archives/*.deb "$1/opt/ec2net-vm/debs/rpm/"'),
]

HOOKS = [
    # initramfs-tools takes extra modules only from modules.d; without these the
    # initrd cannot find /dev/vda. Written before the kernel package is installed.
    ("--essential-hook", 'mkdir -p "$1/usr/share/initramfs-tools/modules.d" && '
                         'printf "virtio_pci\\nvirtio_blk\\nvirtio_net\\next4\\n" '
                         '> "$1/usr/share/initramfs-tools/modules.d/ec2net-vm"'),
    ("--customize-hook", 'printf "%s" "$EC2NET_VM_DHCP_NETWORK" > "$1/etc/systemd/network/90-vm-dhcp.network"'),
    # An empty /etc/hostname: the hostname comes from IMDS (ec2-ifscan), as on an AMI.
    ("--customize-hook", ': > "$1/etc/hostname"; printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\\n" > "$1/etc/fstab"'),
    ("--customize-hook", 'chroot "$1" systemctl enable systemd-networkd.service'),
    # Nothing in the guest waits for the wall clock or fetches updates.
    ("--customize-hook", 'chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer'),
    ("--customize-hook", 'rm -f "$1"/etc/machine-id && : > "$1/etc/machine-id"'),
]


def build_inputs():
    """Everything that decides the image's content; its hash names the cache entry."""
    text = repr((SUITE, MIRROR, SIZE, PACKAGES, STASHED, STASHED_WITH_DEPENDENCIES, DHCP_NETWORK, HOOKS,
                 STASH_HOOKS))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def product_inputs(deb):
    """The product's cache key: the recipe and the package's bytes."""
    with open(deb, "rb") as f:
        package = hashlib.sha256(f.read()).hexdigest()
    text = repr((SUITE, MIRROR, SIZE, PACKAGES, DHCP_NETWORK, HOOKS, SHELLS, MASKED_IN_PRODUCT, package))
    return "product-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_dir():
    return os.path.join(CACHE_BASE, build_inputs())


def paths(directory=None):
    directory = directory or cache_dir()
    return {"rootfs": os.path.join(directory, "rootfs.raw"),
            "kernel": os.path.join(directory, "vmlinuz"),
            "initrd": os.path.join(directory, "initrd.img")}


def ensure(log=print):
    """The cached test image, built first if missing (under a lock: one builder at a time)."""
    return _ensure(cache_dir(), build_inputs(), HOOKS + STASH_HOOKS, None, log)


def ensure_product(deb, log=print):
    """The product image with this .deb baked in and no shell, cached by the package's hash."""
    key = product_inputs(deb)
    built = _ensure(os.path.join(CACHE_BASE, key), key, HOOKS, lambda root: _bake(root, deb, log), log)
    # One product at a time in the cache: each new .deb makes a new one.
    for name in os.listdir(CACHE_BASE):
        if name.startswith("product-") and name != key:
            shutil.rmtree(os.path.join(CACHE_BASE, name), ignore_errors=True)
    return built


def _ensure(directory, key, hooks, finish, log):
    if os.path.exists(os.path.join(directory, "complete")):
        return paths(directory)
    os.makedirs(CACHE_BASE, exist_ok=True)
    with open(os.path.join(CACHE_BASE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(directory, "complete")):
            _build(directory, key, hooks, finish, log)
    return paths(directory)


def _bake(root, deb, log):
    """ec2net installed by dpkg in the build chroot (its postinst sees no
    running systemd: it enables, starts nothing), then the shells removed.
    Afterwards dpkg cannot run in the image (it needs sh): an upgrade is a
    rebuild of the image."""
    target = os.path.join(root, "var/tmp/ec2net.deb")
    shutil.copy(deb, target)
    log(f"vm image: installing {os.path.basename(deb)} in the build chroot")
    subprocess.run(["chroot", root, "dpkg", "-i", "/var/tmp/ec2net.deb"], check=True)
    os.remove(target)
    for unit in MASKED_IN_PRODUCT:
        link = os.path.join(root, "etc/systemd/system", unit)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink("/dev/null", link)
    # With a merged /usr (bookworm) /bin/sh is /usr/bin/sh; without, both go.
    for shell in SHELLS + [s.replace("usr/", "", 1) for s in SHELLS]:
        path = os.path.join(root, shell)
        if os.path.lexists(path) and not os.path.islink(os.path.dirname(path)):
            os.remove(path)


def _build(directory, key, hooks, finish, log):
    work = tempfile.mkdtemp(prefix="build-", dir=CACHE_BASE)
    try:
        root = os.path.join(work, "root")
        argv = ["mmdebstrap", "--variant=minbase", "--mode=root", "--quiet",
                "--include=" + ",".join(PACKAGES)]
        for option, hook in hooks:
            argv.append(f"{option}={hook}")
        argv += [SUITE, root, MIRROR]
        log(f"vm image: building {directory} (mmdebstrap {SUITE}, {len(PACKAGES)} packages)")
        env = dict(os.environ, EC2NET_VM_DHCP_NETWORK=DHCP_NETWORK)
        subprocess.run(argv, check=True, env=env)
        if finish:
            finish(root)
        out = os.path.join(work, "out")
        os.makedirs(out)
        boot = os.path.join(root, "boot")
        kernels = sorted(n for n in os.listdir(boot) if n.startswith("vmlinuz-"))
        initrds = sorted(n for n in os.listdir(boot) if n.startswith("initrd.img-"))
        if not kernels or not initrds:
            raise RuntimeError(f"no kernel/initrd in {boot}: {os.listdir(boot)}")
        shutil.copy(os.path.join(boot, kernels[-1]), os.path.join(out, "vmlinuz"))
        shutil.copy(os.path.join(boot, initrds[-1]), os.path.join(out, "initrd.img"))
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "root", "-d", root,
                        os.path.join(out, "rootfs.raw"), SIZE], check=True)
        with open(os.path.join(out, "complete"), "w") as f:
            f.write(key + "\n")
        shutil.rmtree(directory, ignore_errors=True)
        os.rename(out, directory)
    finally:
        _unmount_below(work)  # an interrupted mmdebstrap may leave /proc, /sys mounted there
        shutil.rmtree(work, ignore_errors=True)


def _unmount_below(directory):
    prefix = directory.rstrip("/") + "/"
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False)


def main():
    parser = argparse.ArgumentParser(description="The VM suite's guest image, or with --deb the product image.")
    parser.add_argument("--deb", help="bake this ec2net .deb in and remove every shell (make image)")
    parser.add_argument("--out", help="copy rootfs.raw, vmlinuz and initrd.img into this directory")
    args = parser.parse_args()
    log = lambda m: print(m, file=sys.stderr)
    built = ensure_product(args.deb, log=log) if args.deb else ensure(log=log)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        for name, path in built.items():
            # --sparse: the 1.6 GB root file system is mostly holes.
            subprocess.run(["cp", "--sparse=always", path, os.path.join(args.out, os.path.basename(path))],
                           check=True)
        built = paths(args.out)
    print(built)


if __name__ == "__main__":
    main()
