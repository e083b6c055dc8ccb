"""The few Linux system calls the harness makes directly.

mount(2)/umount2(2) are called through libc rather than mount(8)/umount(8):
util-linux's libmount creates /run/mount/utab on the *host's* /run (which
on this machine is a plain directory, not a tmpfs), and the host's /run must
stay untouched.
"""
import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
CLONE_NEWNET = 0x40000000


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source, target, fstype=None, flags=0, data=None):
    enc = lambda s: s.encode() if isinstance(s, str) else s
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)),
           f"mount {source} on {target} ({fstype})")


def bind_mount(source, target, recursive=False):
    mount(source, target, None, MS_BIND | (MS_REC if recursive else 0))


def umount(target, lazy=True):
    _check(_libc.umount2(target.encode(), MNT_DETACH if lazy else 0), f"umount {target}")


def setns(fd, nstype):
    _check(_libc.setns(fd, nstype), "setns")
