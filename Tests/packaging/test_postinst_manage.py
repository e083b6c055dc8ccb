"""Issue 10: the package's install and upgrade honour [Interfaces] Manage=none.

The real postinst of the built .deb runs in a throw-away root: a private
mount namespace (unshare -m) where the host's /usr, /bin, /lib and /lib64
(and /dev/null) are bind-mounted read-only into a temp dir, with its own /etc/ec2net, a
/run/systemd/system that says "systemd is running", and stand-ins for
systemctl, deb-systemd-helper, deb-systemd-invoke and systemd-tmpfiles that
only record how they were called. Nothing on the host is touched.

    EC2NET_DEB=out/ec2net_0.1.0_amd64.deb python3 -m pytest Tests/packaging/test_postinst_manage.py
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

STUBS = ("systemctl", "deb-systemd-helper", "deb-systemd-invoke", "systemd-tmpfiles", "udevadm", "networkctl")
HOST_DIRS = ("usr", "bin", "lib", "lib64", "sbin")


@pytest.fixture(scope="module")
def postinst(tmp_path_factory) -> Path:
    deb = os.environ.get("EC2NET_DEB")
    if not deb:
        pytest.skip("EC2NET_DEB names the .deb to check (make packaging-check sets it)")
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a private mount namespace")
    control = tmp_path_factory.mktemp("control")
    subprocess.run(["dpkg-deb", "-e", deb, str(control)], check=True)
    return control / "postinst"


def run_postinst(postinst: Path, tmp_path: Path, config: str, *args: str) -> list[str]:
    """Runs postinst ARGS in the throw-away root; returns the stand-ins' calls."""
    root = tmp_path / "root"
    for d in HOST_DIRS:
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "etc/ec2net").mkdir(parents=True, exist_ok=True)
    (root / "etc/ec2net/ec2net.conf").write_text(config)
    (root / "run/systemd/system").mkdir(parents=True)
    (root / "dev").mkdir()
    (root / "dev/null").touch()
    (root / "stubs").mkdir()
    for name in STUBS:
        stub = root / "stubs" / name
        # deb-systemd-helper's queries answer "no": no earlier install had
        # these units enabled (the state a Manage=none install leaves).
        query = 'case "$1" in debian-installed|--quiet) exit 1;; esac\n' if name == "deb-systemd-helper" else ""
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> /calls\n{query}exit 0\n')
        stub.chmod(0o755)
    shutil.copy(postinst, root / "postinst")
    binds = " && ".join(f"mount --bind -o ro /{d} {root}/{d}" for d in HOST_DIRS if os.path.isdir(f"/{d}")
                        and not os.path.islink(f"/{d}"))
    links = [d for d in HOST_DIRS if os.path.islink(f"/{d}")]
    for d in links:  # merged /usr: /bin -> usr/bin
        (root / d).rmdir()
        (root / d).symlink_to(os.readlink(f"/{d}"))
    binds += f" && mount --bind /dev/null {root}/dev/null"
    script = f"{binds} && chroot {root} /usr/bin/env -i PATH=/stubs:/usr/bin:/bin /bin/sh /postinst {' '.join(args)}"
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = root / "calls"
    return calls.read_text().splitlines() if calls.exists() else []


def starts_anything(calls: list[str]) -> bool:
    return any(c.startswith("deb-systemd-invoke start") or "try-restart" in c or c.startswith("networkctl")
               or c.startswith("udevadm") for c in calls)


@pytest.mark.parametrize("args", [("configure",), ("configure", "0.0.9")], ids=["install", "upgrade"])
def test_manage_none_starts_nothing(postinst, tmp_path, args):
    calls = run_postinst(postinst, tmp_path, "[Interfaces]\nManage=none\n", *args)
    print("\n".join(calls))
    assert not starts_anything(calls), calls
    # Issue 23: nothing enabled either (networkd, or ec2net's own units).
    assert not [c for c in calls if " enable " in f"{c} " or c.startswith("systemctl preset")], calls


@pytest.mark.parametrize("args", [("configure",), ("configure", "0.0.9")], ids=["install", "upgrade"])
def test_manage_all_starts_one_scan_and_never_replugs(postinst, tmp_path, args):
    calls = run_postinst(postinst, tmp_path, "[Interfaces]\n#Manage=all\n", *args)
    print("\n".join(calls))
    assert "deb-systemd-invoke start systemd-networkd.service ec2-ifscan.timer ec2-ifscan.service ec2-hostname.service" in calls
    if len(args) == 1:
        assert "systemctl enable systemd-networkd.service" in calls
        enable = calls.index("deb-systemd-helper enable ec2-ifscan.service ec2-ifscan.timer ec2-hostname.service")
        # Before debhelper's update-state: deb-systemd-helper never creates a link it recorded.
        assert enable < calls.index("deb-systemd-helper update-state ec2-ifscan.service"), calls
    else:
        assert not [c for c in calls if c.startswith("systemctl enable")], "an upgrade keeps the admin's choice"
    # Issue 23: units and udev rules reloaded before anything starts.
    start = calls.index("deb-systemd-invoke start systemd-networkd.service ec2-ifscan.timer ec2-ifscan.service "
                        "ec2-hostname.service")
    for step in ("systemctl daemon-reload", "udevadm control --reload", "systemctl try-restart systemd-udevd.service"):
        assert step in calls[:start], step
    assert not any(c.startswith("udevadm trigger") for c in calls), "an upgrade must not re-plug interfaces"


def test_manage_none_in_a_drop_in_wins(postinst, tmp_path):
    root = tmp_path / "root"
    (root / "etc/ec2net/ec2net.conf.d").mkdir(parents=True)
    (root / "etc/ec2net/ec2net.conf.d/50-image.conf").write_text("[Interfaces]\nManage = none\n")
    calls = run_postinst(postinst, tmp_path, "[Interfaces]\nManage=primary-only\n", "configure")
    assert not starts_anything(calls) and not [c for c in calls if " enable " in f"{c} "], calls
