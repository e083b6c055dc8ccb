"""Fixtures of the harness (Tests/support/ec2net_harness.py), for every test
below Tests/: pytest finds them by name, no test module imports them.

  temp_root         a TempRoot: an empty `/` for --root plus a fake sysfs
  fake_networkctl   a FakeNetworkctl: EC2NET_NETWORKCTL that records reloads
  mock_imds         mock_imds(scenario, listen=) -> a running MockIMDSProcess;
                    every one started is stopped by its PID afterwards
  make_instance     make_instance(enis) -> an Instance on temp_root, a mock
                    serving scenario(enis), and fake_networkctl
  unreachable_imds  an IMDS URL on loopback where nothing listens

Import paths come from pytest.ini (`pythonpath`), not from sys.path edits.

In CI (`CI` set) a skip is a failure unless its reason is on ALLOWED_SKIPS:
a suite that skips wholesale (no root, no build, a missing program) would
otherwise turn a packaging regression into a green run. This file is the
parent conftest of every suite `.ci/run` calls (support, integration, e2e,
packaging, vm), so the gate covers them all.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ec2net_harness import (
    FakeNetworkctl,
    HarnessError,
    Instance,
    MockIMDSProcess,
    TempRoot,
    scenario,
)


@pytest.fixture
def temp_root(tmp_path: Path) -> TempRoot:
    return TempRoot.make(tmp_path)


@pytest.fixture
def fake_networkctl(tmp_path: Path) -> FakeNetworkctl:
    try:
        return FakeNetworkctl.in_dir(tmp_path)
    except HarnessError as error:
        pytest.fail(str(error))


@pytest.fixture
def mock_imds(tmp_path: Path) -> Iterator[Callable[..., MockIMDSProcess]]:
    started: list[MockIMDSProcess] = []

    def start(scenario: dict[str, Any], listen: str = "127.0.0.1:0") -> MockIMDSProcess:
        mock = MockIMDSProcess(scenario, tmp_path / f"imds{len(started)}", listen)
        started.append(mock)
        return mock

    try:
        yield start
    finally:
        for mock in started:
            mock.stop()


@pytest.fixture
def make_instance(temp_root, mock_imds, fake_networkctl) -> Callable[[list[dict[str, Any]]], Instance]:
    def make(enis: list[dict[str, Any]], **extra: Any) -> Instance:
        return Instance(temp_root, mock_imds(scenario(enis, **extra)), fake_networkctl)
    return make


@pytest.fixture
def unreachable_imds() -> Iterator[str]:
    """An IMDS URL on loopback where nothing listens. The port stays bound
    (not listening) meanwhile: connecting is refused and no one takes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{placeholder.getsockname()[1]}"


# Skips CI accepts, by a fragment of their reason; each says why it cannot
# run on the CI image (Debian 12). Keep this short: anything else that skips
# in CI fails the run (pytest_sessionfinish below).
ALLOWED_SKIPS = {
    # `udevadm verify` appeared in systemd 253; Debian 12 ships 252
    # (Tests/packaging/check_deb.py::test_rules_syntax). The rules are still
    # loaded by the real udevd in the e2e and VM suites.
    "udevadm verify not available (systemd < 253)",
    # Under qemu-user (the arm64 block of .ci/run) `ec2net status` cannot
    # read the kernel's rules: qemu 7.2 answers RTM_GETRULE with EOPNOTSUPP
    # (Tests/packaging/test_budgets.py::QEMU_LACKS). Status runs natively in
    # every other suite.
    "qemu-user 7.2 refuses RTM_GETRULE",
}


def skip_reason(report: pytest.TestReport) -> str:
    """The reason pytest recorded for a skip: longrepr is (path, line, "Skipped: reason")."""
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


def unallowed_skips(reports: list[pytest.TestReport]) -> list[str]:
    return [f"{report.nodeid}: {skip_reason(report)}" for report in reports
            if not any(allowed in skip_reason(report) for allowed in ALLOWED_SKIPS)]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    unallowed = unallowed_skips(reporter.stats.get("skipped", []))
    if not unallowed:
        return
    reporter.write("\n")
    reporter.write_sep("=", f"CI: {len(unallowed)} skip(s) not on ALLOWED_SKIPS (Tests/conftest.py)", red=True)
    for line in unallowed:
        reporter.write_line(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
