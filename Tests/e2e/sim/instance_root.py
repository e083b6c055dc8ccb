"""Builds the instance's private file system view, then holds it open.

Started as `nsenter --net=INST unshare --mount --uts --propagation private --
python3 instance_root.py ...`: it runs inside the instance's network
namespace and in a fresh, private mount + UTS namespace.  It mounts, creates
the ready file, and sleeps; every instance process is then started with
`nsenter --target <this pid> --net --mount --uts`.  When it and the daemons
exit, the mount namespace and all its tmpfs vanish.

What the instance sees, and why:
  /sys                  a fresh sysfs: it lists the instance's links only
                        (udevd and networkd read /sys/class/net)
  /run                  empty tmpfs: private udev db, dbus socket, networkd state
  /dev                  small tmpfs with null/zero/urandom...: udevd also gets the
                        host's non-network uevents and must not touch host /dev
  /dev/log              optional: a datagram socket of the harness (syslog lines)
  /etc, /var/lib,       overlays whose writes land in a tmpfs: /etc/ec2net,
  /usr/lib/systemd,     /var/lib/ec2net, 80-ec2.network etc. can be created
  /usr/libexec          without touching the host
  /etc/systemd/network, empty tmpfs: no host admin config leaks in
  /etc/udev/rules.d,
  /usr/lib/udev/rules.d
  /usr/libexec/ec2net   bind of EC2NET_BUILD_DIR (ec2-plug, ec2-ifscan ...)
The scratch directory (in the run dir on the host) gets a tmpfs mounted over
it in this namespace only; it holds the overlays' upper and work dirs.
"""
import argparse
import os
import signal
import socket
import stat
import sys

# Run as a script by path (sim/instance.py): Python puts this directory first
# on sys.path, so sim/linux.py is found as `linux` without any path setup.
import linux

OVERLAID = ["/etc", "/var/lib", "/usr/lib/systemd", "/usr/libexec"]
EMPTIED = ["/etc/systemd/network", "/etc/udev/rules.d", "/usr/lib/udev/rules.d"]
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9), "tty": (5, 0)}


def tmpfs(target, mode="0755"):
    linux.mount("tmpfs", target, "tmpfs", linux.MS_NOSUID, f"mode={mode}")


def overlay(target, scratch):
    key = target.strip("/").replace("/", "_")
    upper, work = os.path.join(scratch, key, "upper"), os.path.join(scratch, key, "work")
    os.makedirs(upper)
    os.makedirs(work)
    linux.mount("overlay", target, "overlay", 0, f"lowerdir={target},upperdir={upper},workdir={work}")


def private_dev(syslog_socket):
    # Bind the host's /dev/log target before /dev is covered.
    tmpfs("/dev")
    for name, (major, minor) in DEVICES.items():
        os.mknod(f"/dev/{name}", 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    for index, name in enumerate(["stdin", "stdout", "stderr"]):
        os.symlink(f"/proc/self/fd/{index}", f"/dev/{name}")
    os.symlink("/proc/self/fd", "/dev/fd")
    os.mkdir("/dev/shm")
    tmpfs("/dev/shm", "1777")
    if syslog_socket:
        open("/dev/log", "w").close()
        linux.bind_mount(syslog_socket, "/dev/log")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--libexec-ec2net", help="directory bound over /usr/libexec/ec2net")
    parser.add_argument("--syslog-socket")
    parser.add_argument("--hostname", default="ip-10-0-0-10")
    parser.add_argument("--ready-file", required=True, help="created (on the host) once mounted")
    args = parser.parse_args()

    # unshare --propagation private already made every mount private; say it
    # again so nothing below can ever propagate back to the host.
    linux.mount("none", "/", None, linux.MS_REC | linux.MS_PRIVATE)
    socket.sethostname(args.hostname)  # our own UTS namespace

    linux.mount("sysfs", "/sys", "sysfs", linux.MS_NOSUID | linux.MS_NODEV)
    tmpfs(args.scratch)
    tmpfs("/run")
    private_dev(args.syslog_socket)
    for target in OVERLAID:
        overlay(target, args.scratch)
    for target in EMPTIED:
        os.makedirs(target, exist_ok=True)  # in an overlay: host unaffected
        tmpfs(target)
    os.makedirs("/usr/libexec/ec2net", exist_ok=True)
    if args.libexec_ec2net and os.path.isdir(args.libexec_ec2net):
        linux.bind_mount(args.libexec_ec2net, "/usr/libexec/ec2net")
    for directory in ["/run/udev/rules.d", "/run/dbus", "/run/systemd/network",
                      "/run/ec2net", "/etc/ec2net", "/var/lib/ec2net",
                      "/usr/lib/systemd/networkd.conf.d", "/usr/lib/udev"]:
        os.makedirs(directory, exist_ok=True)

    open(args.ready_file, "w").close()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
