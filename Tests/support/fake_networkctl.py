#!/usr/bin/env python3
"""Stands in for networkctl in tests (EC2NET_NETWORKCTL): appends one line
per invocation to $EC2NET_FAKE_RELOAD_LOG, so a test can count reloads."""
import os
import sys


def main() -> int:
    log = os.environ.get("EC2NET_FAKE_RELOAD_LOG")
    if not log:
        print("fake networkctl: EC2NET_FAKE_RELOAD_LOG is not set", file=sys.stderr)
        return 1
    line = f"{' '.join(sys.argv[1:])} pid={os.getpid()}\n".encode()
    # One write(2) with O_APPEND: lines from concurrent reloads never interleave.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
