"""Checks of the ec2net .deb: layout, dependencies, paths named by the rules
and units, unit verification, man pages, lintian.

    python3 -m pytest -v -s Tests/packaging/check_deb.py
    EC2NET_DEB=out/ec2net_0.1.0_amd64.deb python3 -m pytest -v -s Tests/packaging/check_deb.py

Without EC2NET_DEB the package is built first (make -f packaging.mk deb).
Needs dpkg-deb, systemd-analyze, man and lintian (make packaging-check
installs them). Runs as any user; nothing is installed on the host.
"""

import glob
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIBEXEC = "/usr/libexec/ec2net"
PROGRAMS = ["ec2net", "ec2-ifname", "ec2-plug", "ec2-unplug", "ec2-ifscan"]

# docs/interfaces.md "Installed layout", plus what Debian adds
# (copyright, changelog, lintian overrides) and the three support files packaging needs
# (tmpfiles.d, preset, the udevd IMDS drop-in).
EXPECTED_FILES = {
    *(f"{LIBEXEC}/{p}" for p in PROGRAMS),
    "/usr/sbin/ec2net",
    "/usr/lib/udev/rules.d/81-ec2net.rules",
    "/usr/lib/systemd/system/ec2-ifscan.service",
    "/usr/lib/systemd/system/ec2-ifscan-refresh.service",
    "/usr/lib/systemd/system/ec2-ifscan.timer",
    "/usr/lib/systemd/system/ec2-hostname.service",
    "/usr/lib/systemd/system/systemd-udevd.service.d/ec2net-imds.conf",
    "/usr/lib/systemd/system-preset/80-ec2net.preset",
    "/usr/lib/systemd/network/80-ec2.network",
    "/usr/lib/systemd/network/04-ec2net-parked.network",
    "/usr/lib/systemd/network/03-ec2net-pending.network",
    "/usr/lib/systemd/networkd.conf.d/ec2net.conf",
    "/usr/lib/tmpfiles.d/ec2net.conf",
    "/etc/ec2net/ec2net.conf",
    "/usr/share/man/man5/ec2net.conf.5.gz",
    *(f"/usr/share/man/man8/{p}.8.gz" for p in PROGRAMS),
    "/usr/share/man/man8/ec2net-status.8.gz",
    "/usr/share/doc/ec2net/examples/90-ena-tuning.conf",
    "/usr/share/doc/ec2net/copyright",
    "/usr/share/doc/ec2net/changelog.gz",
    "/usr/share/lintian/overrides/ec2net",
}
FORBIDDEN_DEPENDS = {"bash", "curl", "iproute2", "coreutils"}
REQUIRED_DEPENDS = {"systemd", "udev"}
# Inherited from the units directory of the host for systemd-analyze --root.
HOST_UNIT_DIR = Path("/usr/lib/systemd/system")
MAX_EXPOSURE = 3.0


def run(*argv, check=True, **kw):
    return subprocess.run(argv, check=check, text=True, capture_output=True, **kw)


@pytest.fixture(scope="session")
def deb() -> Path:
    given = os.environ.get("EC2NET_DEB")
    if given:
        path = Path(given)
        assert path.is_file(), f"EC2NET_DEB={given}: no such file"
        return path.resolve()
    subprocess.run(["make", "-f", "packaging.mk", "deb"], cwd=REPO, check=True)
    debs = [p for p in glob.glob(str(REPO / "out" / "ec2net_*.deb"))]
    assert debs, "make deb produced no out/ec2net_*.deb"
    return Path(max(debs, key=os.path.getmtime))


@pytest.fixture(scope="session")
def root(deb, tmp_path_factory) -> Path:
    """The package unpacked with dpkg-deb -x, as it would be installed."""
    target = tmp_path_factory.mktemp("root")
    run("dpkg-deb", "-x", str(deb), str(target))
    return target


def deb_field(deb: Path, field: str) -> str:
    return run("dpkg-deb", "-f", str(deb), field).stdout.strip()


def relation_names(value: str) -> set:
    """Package names of a Depends-style field (alternatives included)."""
    names = set()
    for clause in value.split(","):
        for alt in clause.split("|"):
            alt = alt.strip()
            if alt:
                names.add(re.split(r"[\s(:\[]", alt, maxsplit=1)[0])
    return names


def test_file_list(root):
    found = {
        "/" + str(p.relative_to(root))
        for p in root.rglob("*")
        if not p.is_dir()
    }
    missing = EXPECTED_FILES - found
    extra = found - EXPECTED_FILES
    assert not missing, f"missing from the package: {sorted(missing)}"
    assert not extra, f"not in the documented layout: {sorted(extra)}"


def test_one_executable_four_names(root):
    stats = [(root / LIBEXEC.lstrip("/") / p).stat() for p in PROGRAMS]
    assert len({(s.st_dev, s.st_ino) for s in stats}) == 1, "not hard links of one file"
    assert all(s.st_mode & 0o111 for s in stats)
    print(f"\nexecutable: {stats[0].st_size} bytes, {stats[0].st_nlink} names")


# readelf -h "Machine:" of the executable a package of each Debian
# architecture must hold (issue 24: the cross build once packaged x86_64
# code as arm64).
ELF_MACHINE = {"amd64": "Advanced Micro Devices X86-64", "arm64": "AArch64"}


def test_executable_is_of_the_package_architecture_and_static(deb, root):
    architecture = deb_field(deb, "Architecture")
    executable = root / LIBEXEC.lstrip("/") / "ec2net"
    machine = re.search(r"Machine:\s*(.+)", run("readelf", "-h", str(executable)).stdout).group(1).strip()
    dynamic = run("readelf", "-d", str(executable)).stdout.strip()
    print(f"\n{architecture}: {machine}; readelf -d: {dynamic}")
    assert machine == ELF_MACHINE[architecture], f"an {architecture} package holds a {machine} executable"
    assert dynamic == "There is no dynamic section in this file.", dynamic


def test_depends(deb):
    depends = deb_field(deb, "Depends")
    print(f"\nDepends: {depends}")
    names = relation_names(depends)
    assert not names & FORBIDDEN_DEPENDS, f"forbidden dependencies: {names & FORBIDDEN_DEPENDS}"
    assert REQUIRED_DEPENDS <= names, f"missing dependencies: {REQUIRED_DEPENDS - names}"
    for field in ("Pre-Depends", "Recommends"):
        assert not relation_names(deb_field(deb, field)) & FORBIDDEN_DEPENDS
    for field in ("Conflicts", "Replaces", "Provides"):
        assert "amazon-ec2-net-utils" in relation_names(deb_field(deb, field)), field


def test_conffiles(deb, tmp_path):
    run("dpkg-deb", "-e", str(deb), str(tmp_path / "control"))
    conffiles = (tmp_path / "control" / "conffiles").read_text().split()
    assert conffiles == ["/etc/ec2net/ec2net.conf"]


def named_programs(root: Path) -> list:
    """(source, absolute path) of every program the rules and units start."""
    named = []
    rules = root / "usr/lib/udev/rules.d/81-ec2net.rules"
    for line in rules.read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        for m in re.finditer(r'(?:RUN\+?|IMPORT\{program\})="([^"]+)"', line):
            named.append((rules.name, shlex.split(m.group(1))[0]))
    for unit in (root / "usr/lib/systemd/system").glob("ec2-ifscan*.service"):
        for line in unit.read_text().splitlines():
            m = re.match(r"\s*Exec\w+=\s*(.+)", line)
            if m:
                # Strip systemd's prefixes: - @ : + ! !!
                named.append((unit.name, shlex.split(m.group(1))[0].lstrip("-@:+!")))
    return named


def test_named_programs_exist(root):
    named = named_programs(root)
    assert len(named) >= 5, named  # ifname, plug, unplug, two ExecStart
    for source, path in named:
        assert path.startswith("/"), f"{source}: {path} is not absolute"
        target = root / path.lstrip("/")
        assert target.is_file() and os.access(target, os.X_OK), f"{source} names {path}, not in the package"


def test_ec2net_on_path(root):
    """`ec2net status` for people: /usr/sbin/ec2net is a symlink to the one
    executable; started as "ec2net" it takes the subcommand form."""
    link = root / "usr/sbin/ec2net"
    assert link.is_symlink() and os.readlink(link) == "../libexec/ec2net/ec2net", os.readlink(link)
    assert link.resolve() == (root / LIBEXEC.lstrip("/") / "ec2net").resolve()
    for page in ("ec2net.8", "ec2net-status.8"):
        synopsis = (REPO / "man" / page).read_text().split(".SH SYNOPSIS", 1)[1].split(".SH", 1)[0]
        assert "libexec" not in synopsis and ".B ec2net" in synopsis, page


def test_maintainer_scripts_call_no_coreutils(deb, tmp_path):
    """Issue 23: what the scripts call is declared. They call systemd's and
    udev's programs and shell built-ins, not rm or sed (coreutils, sed)."""
    run("dpkg-deb", "-e", str(deb), str(tmp_path / "control"))
    for script in ("postinst", "prerm", "postrm"):
        code = re.sub(r"(?m)#.*$", "", (tmp_path / "control" / script).read_text())
        for program in ("rm", "sed", "awk", "grep", "cat", "cut", "find", "xargs"):
            assert not re.search(rf"(^|[\s;|&(`$]){program}\s", code, re.M), f"{script} calls {program}"


def test_postinst_reloads_before_starting(deb, tmp_path):
    """Issue 23: dh_installsystemd --no-start leaves out daemon-reload; the
    postinst reloads systemd and udev's rules before it starts anything."""
    run("dpkg-deb", "-e", str(deb), str(tmp_path / "control"))
    code = re.sub(r"(?m)#.*$", "", (tmp_path / "control" / "postinst").read_text())
    start = code.index("deb-systemd-invoke start")
    for step in ("systemctl daemon-reload", "udevadm control --reload", "systemctl try-restart systemd-udevd"):
        assert step in code[:start], step


def test_timer_unit_exists(root):
    timer = (root / "usr/lib/systemd/system/ec2-ifscan.timer").read_text()
    unit = re.search(r"^Unit=(\S+)", timer, re.M).group(1)
    assert (root / "usr/lib/systemd/system" / unit).is_file()


def test_rules_driver_match_is_one_token():
    """Tests substitute veth for the driver pattern: it must appear once."""
    text = (REPO / "rules.d/81-ec2net.rules").read_text()
    lines = [l for l in text.splitlines() if "ena|ixgbevf|vif" in l and not l.startswith("#")]
    assert len(lines) == 1, lines


@pytest.fixture(scope="session")
def verify_root(root, tmp_path_factory) -> Path:
    """The package's files plus the host's units (targets the ec2net units
    refer to), for systemd-analyze --root."""
    vroot = tmp_path_factory.mktemp("verify")
    shutil.copytree(HOST_UNIT_DIR, vroot / "usr/lib/systemd/system", symlinks=True)
    shutil.copytree(root, vroot, symlinks=True, dirs_exist_ok=True)
    return vroot


def test_units_verify(verify_root):
    units = sorted(str(p) for p in (verify_root / "usr/lib/systemd/system").glob("ec2-*"))
    result = run("systemd-analyze", "verify", "--man=no", f"--root={verify_root}", *units, check=False)
    output = (result.stdout + result.stderr).strip()
    print(f"\nsystemd-analyze verify: rc={result.returncode} {output or '(no output)'}")
    # verify exits 0 on unknown keys and bad values: any output is a failure.
    assert result.returncode == 0 and not output


@pytest.mark.parametrize("unit", ["ec2-ifscan.service", "ec2-ifscan-refresh.service", "ec2-hostname.service"])
def test_units_security(root, unit):
    path = root / "usr/lib/systemd/system" / unit
    result = run("systemd-analyze", "security", "--offline=yes", "--no-pager", str(path), check=False)
    last = [l for l in result.stdout.splitlines() if "Overall exposure level" in l]
    assert last, result.stdout + result.stderr
    print(f"\n{last[0].strip()}")
    level = float(re.search(r"level for \S+: ([0-9.]+)", last[0]).group(1))
    assert level <= MAX_EXPOSURE


def test_rules_syntax(root):
    """udevadm verify exists from systemd 253 on; skip where it does not."""
    rules = root / "usr/lib/udev/rules.d/81-ec2net.rules"
    probe = run("udevadm", "verify", "--help", check=False)
    if probe.returncode != 0:
        pytest.skip("udevadm verify not available (systemd < 253)")
    result = run("udevadm", "verify", "--no-style", str(rules), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("page", sorted(glob.glob(str(REPO / "man" / "*.[58]"))))
def test_man_page_renders_cleanly(page):
    result = run("man", "--warnings", "-l", "-Tutf8", page, check=False,
                 env={**os.environ, "MANWIDTH": "80"})
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_man_pages_document_exit_codes():
    """The codes are documented once, in ec2net(8); each program's page points there."""
    shared = (REPO / "man" / "ec2net.8").read_text()
    for code in ("0", "64", "65", "69", "70", "73", "75", "76", "77", "78"):
        assert re.search(rf"^\.B {code}$", shared, re.M), f"ec2net.8: exit code {code}"
    for page in glob.glob(str(REPO / "man" / "ec2-*.8")):
        assert ".BR ec2net (8)" in Path(page).read_text(), f"{page} does not refer to ec2net(8)"


def test_maintainer_scripts_are_posix(deb, tmp_path):
    run("dpkg-deb", "-e", str(deb), str(tmp_path / "control"))
    for script in ("preinst", "postinst", "prerm", "postrm"):
        path = tmp_path / "control" / script
        if not path.exists():
            continue
        assert path.read_text().startswith("#!/bin/sh"), script
        run("sh", "-n", str(path))
        if shutil.which("checkbashisms"):
            result = run("checkbashisms", str(path), check=False)
            assert result.returncode == 0, result.stdout + result.stderr
        code = re.sub(r"(?m)^\s*#.*$", "", path.read_text())
        # Issue 10: no re-plug, no resolv.conf, no other manager disabled.
        assert "udevadm trigger" not in code, script
        assert "resolv.conf" not in code, script
        assert not re.search(r"(disable|stop|mask)\s+\S*(NetworkManager|networking)", code), script


def test_no_active_sysctl(root):
    assert not (root / "usr/lib/sysctl.d").exists()
    assert not (root / "etc/sysctl.d").exists()


def test_versions_agree():
    changelog = (REPO / "debian/changelog").read_text().splitlines()[0]
    deb_version = re.match(r"ec2net \(([^)]+)\)", changelog).group(1)
    spec = (REPO / "spec/ec2net.spec").read_text()
    rpm_version = re.search(r"^Version:\s*(\S+)", spec, re.M).group(1)
    assert deb_version == rpm_version


def test_lintian(deb):
    if not shutil.which("lintian"):
        pytest.skip("lintian not installed")
    result = run("lintian", "--info", "--pedantic", str(deb), check=False)
    output = "\n".join(l for l in (result.stdout + result.stderr).splitlines()
                       if "running with root privileges" not in l)
    print(f"\nlintian --info --pedantic {deb.name}:\n{output or '(clean)'}")
    tags = [l for l in output.splitlines() if re.match(r"^[EWIPX]: ", l)]
    assert not tags, "lintian is not clean (fix, or override with a justifying comment)"


def test_rpm_matches_deb(root):
    """Optional: EC2NET_RPM=out/ec2net-*.rpm (make rpm) has the same layout
    and no forbidden dependency."""
    given = os.environ.get("EC2NET_RPM")
    if not given:
        pytest.skip("EC2NET_RPM not set")
    rpm_files = set(run("rpm", "-qpl", given).stdout.split())
    requires = run("rpm", "-qp", "--requires", given).stdout
    print(f"\nrpm -qp --requires (non-library): " + ", ".join(
        l for l in requires.splitlines() if not re.match(r"(lib|ld-|rtld|rpmlib)", l)))
    # Debian-only: copyright, changelog, lintian overrides. RPM-only: the
    # license directory. Man pages may or may not be compressed.
    deb_only = {"/usr/share/doc/ec2net/copyright", "/usr/share/doc/ec2net/changelog.gz",
                "/usr/share/lintian/overrides/ec2net"}
    strip = lambda p: re.sub(r"\.gz$", "", p)
    want = {strip(p) for p in EXPECTED_FILES - deb_only}
    have = {strip(p) for p in rpm_files
            if not p.startswith("/usr/share/licenses/") and not (Path(root) / p.lstrip("/")).is_dir()
            and p not in {"/etc/ec2net", "/usr/libexec/ec2net", "/usr/share/doc/ec2net",
                          "/usr/share/doc/ec2net/examples", "/usr/lib/systemd/networkd.conf.d",
                          "/usr/lib/systemd/system/systemd-udevd.service.d"}}
    assert have == want, f"rpm-only: {sorted(have - want)}, deb-only: {sorted(want - have)}"
    names = {re.split(r"[\s(]", l, maxsplit=1)[0] for l in requires.splitlines()}
    assert not names & (FORBIDDEN_DEPENDS | {"iproute", "/bin/bash", "/usr/bin/bash"})
