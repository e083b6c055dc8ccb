#!/usr/bin/env python3
"""Stands in for networkctl in tests (EC2NET_NETWORKCTL): appends one line
per invocation to $EC2NET_FAKE_RELOAD_LOG, so a test can count reloads.
While the file $EC2NET_FAKE_RELOAD_LOG.fail exists it records the call as
"failed ..." and exits 1 (networkd not answering: issue 21)."""
import os
import sys


def main() -> int:
    log = os.environ.get("EC2NET_FAKE_RELOAD_LOG")
    if not log:
        print("fake networkctl: EC2NET_FAKE_RELOAD_LOG is not set", file=sys.stderr)
        return 1
    failing = os.path.exists(log + ".fail")
    line = f"{'failed ' if failing else ''}{' '.join(sys.argv[1:])} pid={os.getpid()}\n".encode()
    # One write(2) with O_APPEND: lines from concurrent reloads never interleave.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
