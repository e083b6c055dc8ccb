"""pytest wiring for the VM suite (see README.md).

Each test gets a fresh `vm` (vm.machine.Instance): its own VPC namespace,
dnsmasq, mock IMDS and QEMU guest on a throwaway overlay of the cached image;
its teardown always runs (failure, Ctrl-C, SIGTERM), and a failing test's
report carries the daemons' logs and the guest console.
"""
import glob
import os
import shutil
import signal
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.normpath(os.path.join(HERE, "..", "e2e"))
for path in (E2E, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

import cleanup  # noqa: E402  (Tests/e2e/cleanup.py: leftovers of killed runs)
from vm import image, machine  # noqa: E402

REQUIRED_PROGRAMS = ["qemu-system-x86_64", "qemu-img", "mmdebstrap", "mkfs.ext4", "dnsmasq", "ip", "nsenter",
                     "unshare"]


def deb_path():
    """The package under test: EC2NET_DEB, else the guest architecture's
    out/ec2net_*_amd64.deb of `make deb`."""
    if os.environ.get("EC2NET_DEB"):
        return os.environ["EC2NET_DEB"]
    found = sorted(glob.glob(os.path.join(machine.PROJECT_ROOT, "out", f"ec2net_*_{machine.GUEST_DEB_ARCH}.deb")))
    return found[-1] if found else None


def _missing_requirements():
    if os.geteuid() != 0:
        return "the VM suite needs root (namespaces, taps, mmdebstrap)"
    missing = [p for p in REQUIRED_PROGRAMS if not shutil.which(p)]
    if missing:
        return "missing programs: " + ", ".join(missing) + " (make vm-deps)"
    if not deb_path():
        return f"no out/ec2net_*_{machine.GUEST_DEB_ARCH}.deb: run make deb (or set EC2NET_DEB)"
    return None


def pytest_configure(config):
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupt)


def pytest_sessionstart(session):
    if os.geteuid() == 0:
        cleanup.clean(base_dir=machine.BASE_DIR, verbose=False)


def pytest_collection_modifyitems(config, items):
    reason = _missing_requirements()
    if reason:
        for item in items:
            if str(item.fspath).startswith(HERE):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def guest_image():
    """The cached image, built now if the cache is empty (about a minute)."""
    return image.ensure()


@pytest.fixture(scope="session")
def deb():
    return deb_path()


@pytest.fixture
def vm(request, guest_image):
    with machine.Instance() as instance:
        try:
            yield instance
        finally:
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                print(f"run dir: {instance.run_dir}\n{instance.logs()}")
                if instance.qemu and instance.qemu.process and instance.qemu.process.running():
                    try:
                        print("===== guest journal (ec2net, udev, networkd) =====")
                        lines = [line for line in instance.journal().splitlines()
                                 if any(k in line for k in ("ec2net", "systemd-networkd", "systemd-udevd",
                                                            "ec2-ifscan", "systemd["))]
                        print("\n".join(lines[-400:]))
                    except Exception as error:
                        print(f"(journal not available: {error})")
