"""Checks of the ec2net .rpm that need no VM (issue 23): no shell anywhere in
its dependencies or scriptlets, ec2net on PATH, and its Lua scriptlets run
by rpm itself against a throw-away root.

    EC2NET_RPM=out/ec2net-0.1.0-1.x86_64.rpm python3 -m pytest -v -s Tests/packaging/check_rpm.py

Without EC2NET_RPM the newest out/ec2net-*.rpm is used (make rpm). The
scriptlet runs need root (rpm --root chroots into the temp root before a
Lua scriptlet); there /usr/bin/systemctl and friends do not exist, so every
rpm.execute fails and only the Lua's own reading and removing is exercised.
The shell-free guest (Tests/vm/test_rpm.py) runs them against systemd.
"""
import glob
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHELLS = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "/bin/dash", "/usr/bin/dash", "sh", "bash"}
# What the scriptlets may start (rpm.execute): systemd's and udev's programs.
CALLED = {"/usr/bin/systemctl", "/usr/bin/systemd-tmpfiles", "/usr/bin/udevadm"}


def run(*argv, check=True):
    return subprocess.run(argv, check=check, text=True, capture_output=True)


@pytest.fixture(scope="session")
def rpm_file() -> str:
    given = os.environ.get("EC2NET_RPM")
    if given:
        return given
    found = sorted(glob.glob(str(REPO / "out" / "ec2net-*.rpm")), key=os.path.getmtime)
    if not found:
        pytest.skip("no out/ec2net-*.rpm (make rpm) and EC2NET_RPM not set")
    return found[-1]


def test_requires_no_shell(rpm_file):
    requires = run("rpm", "-qp", "--requires", rpm_file).stdout
    print(f"\nrpm -qp --requires {os.path.basename(rpm_file)}:\n{requires}")
    names = {re.split(r"[\s(]", line, maxsplit=1)[0] for line in requires.splitlines() if line.strip()}
    assert not names & SHELLS, names & SHELLS
    assert not any(n.startswith(("coreutils", "sed", "/usr/bin/rm", "/bin/rm")) for n in names), names


def test_scriptlets_are_lua_or_absent(rpm_file):
    scripts = run("rpm", "-qp", "--scripts", "--triggers", "--filetriggers", rpm_file).stdout
    headers = re.findall(r"^(\S.*?(?:scriptlet|trigger\w*)\b.*)$", scripts, re.M)
    print("\n" + "\n".join(headers))
    interpreters = [m.group(1) for m in re.finditer(r"\(using ([^)]+)\)", scripts)]
    assert interpreters, "expected %post/%preun/%postun"
    assert set(interpreters) == {"<lua>"}, interpreters


def test_scriptlets_start_only_systemd_and_udev_programs(rpm_file):
    scripts = run("rpm", "-qp", "--scripts", rpm_file).stdout
    code = re.sub(r"--[^\n]*", "", scripts)  # Lua comments
    called = set(re.findall(r'rpm\.execute\("([^"]+)"', code))
    assert called and called <= CALLED, called
    assert "io.popen" not in code and "os.execute" not in code, "both run /bin/sh"


def test_ec2net_on_path(rpm_file):
    listing = run("rpm", "-qplv", rpm_file).stdout
    line = next(l for l in listing.splitlines() if l.rstrip().split(" -> ")[0].endswith("/usr/sbin/ec2net"))
    print(f"\n{line}")
    assert line.endswith("-> ../libexec/ec2net/ec2net"), line


@pytest.fixture
def rpm_root(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("rpm --root chroots for Lua scriptlets: needs root")
    root = tmp_path / "root"
    (root / "etc/ec2net/ec2net.conf.d").mkdir(parents=True)
    run("rpm", "--root", str(root), "--initdb")
    return root


def install(rpm_root, rpm_file):
    # --ignorearch: the aarch64 package is checked on x86_64 too (issue 24);
    # its scriptlets are Lua, run by rpm itself, so nothing of aarch64 runs.
    result = run("rpm", "--root", str(rpm_root), "-i", "--nodeps", "--ignorearch", rpm_file, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize("layout", ["admin-file", "drop-in-after-primary-only", "symlinked-drop-in"])
def test_post_reads_manage_none(rpm_root, rpm_file, tmp_path, layout):
    """The Lua parser: [Interfaces] Manage=none in the admin file or a later drop-in wins."""
    conf = rpm_root / "etc/ec2net/ec2net.conf"
    dropins = rpm_root / "etc/ec2net/ec2net.conf.d"
    if layout == "admin-file":
        conf.write_text("[Interfaces]\n# Manage=all\nManage = none\n")
    elif layout == "drop-in-after-primary-only":
        conf.write_text("[Interfaces]\nManage=none\n")
        (dropins / "10-a.conf").write_text("[Interfaces]\nManage=primary-only\n")
        (dropins / "20-b.conf").write_text("[Interfaces]\nManage=none\n[Other]\nManage=all\n")
    else:
        # Absolute links as the scriptlet sees them (chrooted into the root).
        (rpm_root / "srv/managed").mkdir(parents=True)
        (rpm_root / "srv/managed/ec2net.conf").write_text("[Interfaces]\nManage=none\n")
        (dropins / "50-link.conf").symlink_to("/srv/managed/ec2net.conf")
        (dropins / "60-dangling.conf").symlink_to("/srv/managed/gone.conf")  # ENOENT: absent
    output = install(rpm_root, rpm_file)
    print(f"\n{output}")
    assert "Manage=none: nothing enabled or started" in output


def test_post_manage_all_says_nothing_about_none(rpm_root, rpm_file):
    (rpm_root / "etc/ec2net/ec2net.conf.d/10-a.conf").write_text("[Interfaces]\nManage=none\n")
    (rpm_root / "etc/ec2net/ec2net.conf.d/20-b.conf").write_text("[Interfaces]\nManage=all\n")
    assert "Manage=none" not in install(rpm_root, rpm_file)


def test_erase_removes_only_what_ec2net_wrote(rpm_root, rpm_file):
    install(rpm_root, rpm_file)
    network = rpm_root / "run/systemd/network"
    network.mkdir(parents=True, exist_ok=True)
    (network / "05-ec2net-ens6.network").write_text("# Generated by ec2net for MAC 02:00:0a:00:00:20; do not edit\n")
    (network / "05-ec2net-admin.network").write_text("# an admin's file with a similar name\n")
    (rpm_root / "var/lib/ec2net/sub").mkdir(parents=True)
    (rpm_root / "var/lib/ec2net/sub/map").write_text("x\n")
    outside = rpm_root / "outside"
    outside.mkdir()
    (outside / "keep").write_text("kept\n")
    (rpm_root / "var/lib/ec2net/link").symlink_to("/outside")  # removed, not followed
    result = run("rpm", "--root", str(rpm_root), "-e", "ec2net", check=False)
    assert result.returncode == 0, result.stderr
    assert not (network / "05-ec2net-ens6.network").exists()
    assert (network / "05-ec2net-admin.network").exists()
    assert not (rpm_root / "var/lib/ec2net").exists()
    assert (outside / "keep").read_text() == "kept\n"
