"""pytest wiring for the simulated instance (see README.md).

Every test gets a fresh Simulation through the `sim` fixture; its teardown
always runs (failure, Ctrl-C, SIGTERM), and a failing test's report carries
the daemons' logs.
"""
import os
import signal

import pytest

import cleanup
from sim.simulation import Simulation, missing_requirements


def pytest_configure(config):
    config.addinivalue_line("markers", "simulation(**options): keyword arguments for the test's Simulation "
                                       "(e.g. publish_network_card=True)")
    # SIGTERM (CI timeouts, `kill`) unwinds like Ctrl-C, so fixtures tear down.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupt)


def pytest_sessionstart(session):
    if os.geteuid() == 0:
        cleanup.clean(verbose=False)  # leftovers of runs that were killed


def pytest_collection_modifyitems(config, items):
    reason = missing_requirements()
    if reason:
        reason = f"the e2e suite {reason} (see Tests/e2e/README.md)"
        here = os.path.dirname(os.path.abspath(__file__))
        for item in items:
            if str(item.fspath).startswith(here):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def sim(request):
    marker = request.node.get_closest_marker("simulation")
    with Simulation(**(marker.kwargs if marker else {})) as simulation:
        try:
            yield simulation
        finally:
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                # Printed in teardown: pytest shows it under the failing test.
                print(f"run dir: {simulation.run_dir}\n{simulation.logs()}")
