"""Bounded polling for convergence.

Timeouts here are failure bounds, never performance assertions: a scenario
waits until the system converges and fails only when it never does.
"""
import time


class ConvergenceTimeout(AssertionError):
    pass


def wait_until(predicate, timeout=20.0, interval=0.1, what=None):
    """Call `predicate` until it returns something truthy; return that value.

    Raises ConvergenceTimeout after `timeout` seconds, naming `what` and the
    last value (or exception) seen, so a failing test says what it was
    waiting for.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # keep polling: the state may still be forming
            last = error
        if time.monotonic() >= deadline:
            label = what or getattr(predicate, "__name__", "condition")
            raise ConvergenceTimeout(f"{label}: not reached within {timeout}s (last: {last!r})")
        time.sleep(interval)
