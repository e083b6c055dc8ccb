"""Version N-1 of the packages, for the upgrade scenarios (test_upgrade.py,
test_rpm.py): the same sources with a lower version number, 0.0.9 (issue 23
allows that instead of a build of the previous tag).

    python3 Tests/vm/vm/previous.py out/ec2net_0.1.0_amd64.deb out/ec2net-0.1.0-1.x86_64.rpm

* .deb: version N unpacked with `dpkg-deb -R`, `Version:` lowered, packed
  again with `dpkg-deb -b`: the same files and maintainer scripts.
* .rpm: rpm has no repacking tool, so `make -f packaging.mk rpm` in a copy
  of the working tree whose spec says `Version: 0.0.9` (about two minutes;
  under /tmp/ec2net-pkg.lock like every package build on this machine).

Two files differ in N-1, so that the upgrade shows systemd and udevd took
N's definitions (daemon-reload, udevd restart), not only that N's files are
on disk: the timer's Description= ends in "(N-1)", and udevd's IMDS drop-in
allows only the IPv4 address (N: also fd00:ec2::254).

Results go to out/previous/ and are reused while they are newer than N.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROJECT_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
VERSION = "0.0.9"
OUT = os.path.join(PROJECT_ROOT, "out", "previous")
LOCK = "/tmp/ec2net-pkg.lock"


TIMER = "usr/lib/systemd/system/ec2-ifscan.timer"
UDEVD_DROPIN = "usr/lib/systemd/system/systemd-udevd.service.d/ec2net-imds.conf"
PREVIOUS_MARK = " (N-1)"


def mark_previous(tree, timer=TIMER, dropin=UDEVD_DROPIN):
    """The two N-1 differences, in a package tree (or a source tree)."""
    path = os.path.join(tree, timer)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(re.sub(r"(?m)^(Description=.*)$", r"\g<1>" + PREVIOUS_MARK, text, count=1))
    path = os.path.join(tree, dropin)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("IPAddressAllow=169.254.169.254 fd00:ec2::254", "IPAddressAllow=169.254.169.254"))


def _fresh(path, than):
    return os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(than)


def deb(current):
    arch = subprocess.run(["dpkg-deb", "-f", current, "Architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()
    target = os.path.join(OUT, f"ec2net_{VERSION}_{arch}.deb")
    if _fresh(target, current):
        return target
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ec2net-previous-") as work:
        tree = os.path.join(work, "tree")
        subprocess.run(["dpkg-deb", "-R", current, tree], check=True)
        control = os.path.join(tree, "DEBIAN", "control")
        with open(control) as f:
            text = f.read()
        with open(control, "w") as f:
            f.write(re.sub(r"(?m)^Version: .*$", f"Version: {VERSION}", text))
        mark_previous(tree)
        # DEBIAN/md5sums lists the two files: their new sums.
        sums = os.path.join(tree, "DEBIAN", "md5sums")
        out = subprocess.run(["md5sum", TIMER, UDEVD_DROPIN], cwd=tree, check=True, capture_output=True,
                             text=True).stdout
        new = {line.split()[1]: line for line in out.splitlines()}
        with open(sums) as f:
            lines = [new.get(line.split()[1], line) for line in f.read().splitlines()]
        with open(sums, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-b", tree, target], check=True,
                       stdout=subprocess.DEVNULL)
    return target


def rpm(current):
    target_glob = os.path.join(OUT, f"ec2net-{VERSION}-*.rpm")
    found = glob.glob(target_glob)
    if found and _fresh(found[0], current):
        return found[0]
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ec2net-previous-") as work:
        tree = os.path.join(work, "ec2net")
        shutil.copytree(PROJECT_ROOT, tree, symlinks=True,
                        ignore=shutil.ignore_patterns(".build*", "out", ".git", "__pycache__", ".pytest_cache"))
        spec = os.path.join(tree, "spec", "ec2net.spec")
        with open(spec) as f:
            text = f.read()
        with open(spec, "w") as f:
            f.write(re.sub(r"(?m)^Version:(\s*)\S+", rf"Version:\g<1>{VERSION}", text))
        mark_previous(tree, "units/ec2-ifscan.timer", "units/udevd-ec2net-imds.conf")
        changelog = os.path.join(tree, "debian", "changelog")
        with open(changelog) as f:
            text = f.read()
        with open(changelog, "w") as f:
            f.write(re.sub(r"^ec2net \([^)]*\)", f"ec2net ({VERSION})", text, count=1))
        subprocess.run(["flock", LOCK, "make", "-f", "packaging.mk", "rpm"], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL)
        built = glob.glob(os.path.join(tree, "out", f"ec2net-{VERSION}-*.rpm"))
        assert built, "no N-1 rpm built"
        for old in glob.glob(target_glob):
            os.remove(old)
        target = os.path.join(OUT, os.path.basename(built[0]))
        shutil.copy(built[0], target)
    return target


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(deb(path) if path.endswith(".deb") else rpm(path))
