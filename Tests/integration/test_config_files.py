"""ec2net's own configuration read through symlinks, and only ENOENT taken
for absent (issue 20). Configuration managers and NixOS-style /etc link
`/etc/ec2net/ec2net.conf` and `ec2net.conf.d`; a `Manage=none` or an
`Exclude=` behind such a link used to be read as nothing (O_NOFOLLOW) and
the ENIs configured anyway, and an unreadable file gave the defaults. Now a
link is followed, and any other error reading configuration is exit 78
(EX_CONFIG) with nothing changed: no file written or removed, no reload,
no IMDS request, one log line naming the file and the errno.

The instance: the harness's ENIs (Tests/support/ec2net_harness.py `eni`,
modelled on IMDS network/interfaces/macs as AWS documents it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ec2net_harness import (EX_CONFIG, EX_OK, EX_UNAVAILABLE, FakeNetworkctl, Instance, MockIMDSProcess,
                            RUN_TIMEOUT, TempRoot, command, program_path, runner, environment, eni, file_of, iface_of, mac_of,
                            scenario, snapshot)

NOBODY = 65534


@pytest.fixture
def inst(make_instance) -> Instance:
    """ENIs 0 and 1 configured; ENI 1 detached since (a scan would remove
    its file) and ENI 2 attached (a plug or scan would configure it), so a
    run that acts at all changes the tree."""
    instance = make_instance([eni(i) for i in range(3)])
    instance.add_devices(range(2))
    assert instance.scan().returncode == EX_OK
    assert sorted(instance.generated()) == [file_of(0), file_of(1)]
    instance.remove_device(1)
    instance.add_device(2)
    return instance


def whole_tree(root: Path) -> dict:
    """Every file under the root with bytes, mtime and inode, and every
    directory: equal means nothing was written, created or removed."""
    return {"files": snapshot(root),
            "dirs": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir())}


def link_config(inst: Instance, text: str) -> Path:
    """ec2net.conf as a symlink to a file elsewhere in the temp root."""
    site = inst.root.path / "srv" / "site" / "ec2net.conf"
    site.parent.mkdir(parents=True, exist_ok=True)
    site.write_text(text)
    inst.config_file.parent.mkdir(parents=True, exist_ok=True)
    inst.config_file.symlink_to(site)
    return site


def test_a_symlinked_manage_none_changes_nothing(inst):
    site = link_config(inst, "[Interfaces]\nManage=none\n")
    before, reloads, requests = whole_tree(inst.root.path), inst.reloads(), inst.imds.stats()["requests"]
    for run in (lambda: inst.plug(2), lambda: inst.scan(), lambda: inst.scan("--refresh"), lambda: inst.unplug(1)):
        result = run()
        assert result.returncode == EX_OK, result.stderr
    assert whole_tree(inst.root.path) == before
    assert inst.reloads() == reloads, "no networkctl call"
    assert inst.imds.stats()["requests"] == requests, "an inert ec2net asked IMDS"
    assert site.read_text() == "[Interfaces]\nManage=none\n"


def test_a_symlinked_dropin_directory_is_honoured(inst):
    site = inst.root.path / "srv" / "site" / "ec2net.conf.d"
    site.mkdir(parents=True)
    (site / "10-exclude.conf").write_text(f"[Interfaces]\nExclude={mac_of(2)}\n")
    inst.config_file.parent.mkdir(parents=True, exist_ok=True)
    (inst.config_file.parent / "ec2net.conf.d").symlink_to(site)
    result = inst.plug(2)
    assert result.returncode == EX_UNAVAILABLE, result.stderr
    assert f"excluded by Exclude={mac_of(2)}" in result.stderr
    assert inst.scan().returncode == EX_OK
    assert sorted(inst.generated()) == [file_of(0)], "ENI 2 excluded, ENI 1's stale file removed"


def test_a_symlinked_etc_ec2net_and_dropin_file_are_read(inst):
    site = inst.root.path / "srv" / "ec2net"
    (site / "ec2net.conf.d").mkdir(parents=True)
    (site / "ec2net.conf").write_text("")
    (inst.root.path / "srv" / "exclude.conf").write_text(f"[Interfaces]\nExclude={mac_of(2)}\n")
    (site / "ec2net.conf.d" / "10-exclude.conf").symlink_to(inst.root.path / "srv" / "exclude.conf")
    (inst.root.path / "etc" / "ec2net").symlink_to(site)
    assert inst.plug(2).returncode == EX_UNAVAILABLE
    assert file_of(2) not in inst.generated()


def test_an_explicit_config_is_read_through_a_link(inst, tmp_path):
    real = tmp_path / "real.conf"
    real.write_text(f"[Interfaces]\nExclude={mac_of(2)}\n")
    link = tmp_path / "link.conf"
    link.symlink_to(real)
    result = inst.plug(2, "--config", str(link))
    assert result.returncode == EX_UNAVAILABLE, result.stderr
    assert file_of(2) not in inst.generated()
    missing = inst.plug(2, "--config", str(tmp_path / "missing.conf"))
    assert missing.returncode == EX_CONFIG, "a --config FILE that does not exist stays an error"
    assert "ENOENT" in missing.stderr


# -- unreadable: exit 78, nothing changed -------------------------------------------

COMMANDS = {
    "plug": ("ec2-plug", iface_of(2)),
    "plug-from-udev": ("ec2-plug", iface_of(2)),
    "unplug": ("ec2-unplug", iface_of(1)),
    "ifname": ("ec2-ifname", iface_of(2)),
    "ifname-from-udev": ("ec2-ifname", iface_of(2)),
    "ifscan": ("ec2-ifscan",),
    "ifscan-refresh": ("ec2-ifscan", "--refresh"),
    "ifscan-hostname-only": ("ec2-ifscan", "--hostname-only"),
    "status": ("ec2net", "status"),
}


def expect_config_error(result, path: Path, errno_name: str, before: dict, after: dict) -> None:
    assert result.returncode == EX_CONFIG, result.stdout + result.stderr
    assert result.stdout == "", "ec2-ifname prints no properties; status prints no report"
    named = [line for line in result.stderr.splitlines() if str(path) in line]
    assert len(named) == 1 and errno_name in named[0], result.stderr
    assert after == before, "nothing written, created or removed"


@pytest.mark.parametrize("name", COMMANDS, ids=COMMANDS.keys())
def test_a_directory_in_place_of_ec2net_conf_is_exit_78(inst, name):
    inst.config_file.mkdir(parents=True)
    before, reloads, requests = whole_tree(inst.root.path), inst.reloads(), inst.imds.stats()["requests"]
    program, *args = COMMANDS[name]
    if name.endswith("from-udev"):
        inst.extra_env["ACTION"] = "add"
    if program == "ec2net":  # the subcommand comes first
        # Under EC2NET_RUNNER (qemu-user for the aarch64 build) like every other run.
        argv = [*runner(), str(program_path(program)), *args, "--root", str(inst.root.path), "--imds", inst.imds.url]
        result = subprocess.run(argv, env=environment(inst.env, root=inst.root), capture_output=True, text=True,
                                timeout=RUN_TIMEOUT)
    else:
        result = inst.run(program, *args)
    expect_config_error(result, inst.config_file, "EISDIR", before, whole_tree(inst.root.path))
    assert inst.reloads() == reloads
    assert inst.imds.stats()["requests"] == requests


def test_a_link_loop_is_exit_78(inst):
    inst.config_file.parent.mkdir(parents=True)
    inst.config_file.symlink_to(inst.config_file)
    before = whole_tree(inst.root.path)
    result = inst.scan()
    expect_config_error(result, inst.config_file, "ELOOP", before, whole_tree(inst.root.path))


@pytest.fixture
def nobody_instance(mock_imds):
    """An instance in a directory the unprivileged user can reach (pytest's
    tmp_path is root's 0700): its networkd, state and runtime directories
    are nobody's, so a run that fell back to the defaults would write."""
    base = Path(tempfile.mkdtemp(prefix="ec2net-nobody-"))
    try:
        base.chmod(0o755)
        root = TempRoot.make(base)
        for d in (root.network_dir, root.state_dir, root.path / "run" / "ec2net"):
            d.mkdir(parents=True, exist_ok=True)
            os.chown(d, NOBODY, NOBODY)
        networkctl = FakeNetworkctl.in_dir(base)
        inst = Instance(root, mock_imds(scenario([eni(i) for i in range(2)])), networkctl)
        inst.add_devices(range(2))
        yield inst
    finally:
        shutil.rmtree(base)


def as_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def test_mode_000_as_a_user_without_dac_override_is_exit_78(nobody_instance):
    inst = nobody_instance
    if os.geteuid() != 0:
        pytest.skip("needs root to run the programs as uid 65534")
    inst.configure("[Interfaces]\nManage=none\n")
    inst.config_file.chmod(0)
    # The precondition: as nobody, the file really cannot be opened.
    probe = subprocess.run(["python3", "-c", f"open({str(inst.config_file)!r})"], preexec_fn=as_nobody,
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if "PermissionError" not in probe.stderr:
        pytest.skip(f"uid {NOBODY} can read a mode 000 file here: {probe.returncode} {probe.stderr.strip()}")
    before = whole_tree(inst.root.path)
    for program, *args in (("ec2-plug", iface_of(1)), ("ec2-ifscan",), ("ec2-ifname", iface_of(1))):
        argv = command(program, "-v", "--no-altnames", *args, root=inst.root, imds=inst.imds)
        result = subprocess.run(argv, env=environment(inst.env, root=inst.root), preexec_fn=as_nobody,
                                capture_output=True, text=True, timeout=RUN_TIMEOUT)
        expect_config_error(result, inst.config_file, "EACCES", before, whole_tree(inst.root.path))
    assert inst.reloads() == []
    assert inst.imds.stats()["requests"] == 0
