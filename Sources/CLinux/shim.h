#ifndef EC2NET_CLINUX_SHIM_H
#define EC2NET_CLINUX_SHIM_H
// The C library as ec2net uses it, in both build modes: the normal SwiftPM
// build and the Embedded release build, where the Glibc overlay does not
// exist. Headers, plus static inline shims for what Swift cannot import
// (macros that expand to expressions, such as errno, and variadic functions).
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

/// Socket types: an enum in glibc's headers, plain macros in musl's; as
/// constants they import the same from both.
static const int ec2net_sock_stream = SOCK_STREAM;
static const int ec2net_sock_raw = SOCK_RAW;
static const int ec2net_sock_cloexec = SOCK_CLOEXEC;
static const int ec2net_sock_nonblock = SOCK_NONBLOCK;

static inline int ec2net_errno(void) { return errno; }
static inline void ec2net_set_errno(int value) { errno = value; }
static inline char **ec2net_environ(void) { extern char **environ; return environ; }
/// open(2), openat(2) and fcntl(2) are variadic in C; the Glibc overlay
/// wraps them, the Embedded build has no overlay.
static inline int ec2net_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static inline int ec2net_openat(int dirfd, const char *path, int flags, mode_t mode) { return openat(dirfd, path, flags, mode); }
static inline int ec2net_fcntl(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
/// A directory entry's name where it is. The kernel's record is only as long
/// as its name: copying d_name as Swift's 256-byte tuple reads past it, past
/// the end of musl's DIR buffer for its last record (issue 24, a fault in a
/// 64-ENI scan on aarch64).
static inline const char *ec2net_dirent_name(const struct dirent *entry) { return entry->d_name; }
/// syslog(3) with one pre-formatted line ("%s"): Swift cannot call variadics.
static inline void ec2net_syslog(int priority, const char *line) { syslog(priority, "%s", line); }

/// The driver the kernel names for an interface (ETHTOOL_GDRVINFO), as
/// `ethtool -i` and udev's net_setup_link (ID_NET_DRIVER) ask for it; for
/// devices without a sysfs driver link, such as veth. 0 on success.
static inline int ec2net_ethtool_driver(const char *ifname, char *out, size_t length) {
    struct ethtool_drvinfo info;
    struct ifreq request;
    int fd, rc;
    if (length == 0 || strlen(ifname) >= sizeof(request.ifr_name)) return -1;
    memset(&info, 0, sizeof(info));
    memset(&request, 0, sizeof(request));
    info.cmd = ETHTOOL_GDRVINFO;
    strncpy(request.ifr_name, ifname, sizeof(request.ifr_name) - 1);
    request.ifr_data = (void *)&info;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    rc = ioctl(fd, SIOCETHTOOL, &request);
    close(fd);
    if (rc != 0) return -1;
    strncpy(out, info.driver, length - 1);
    out[length - 1] = 0;
    return 0;
}


/// The permanent hardware address (ETHTOOL_GPERMADDR), as networkd's
/// ethtool_get_permanent_hw_addr() asks for it: the number of bytes written
/// to `out`, 0 when the kernel reports none or all zeros (veth), -1 with
/// errno set when the request fails.
static inline int ec2net_ethtool_permanent_address(const char *ifname, unsigned char *out, size_t length) {
    struct { struct ethtool_perm_addr addr; unsigned char space[32]; } data;
    struct ifreq request;
    int fd, rc, e;
    size_t i, nonzero = 0;
    if (strlen(ifname) >= sizeof(request.ifr_name)) { errno = EINVAL; return -1; }
    memset(&data, 0, sizeof(data));
    memset(&request, 0, sizeof(request));
    data.addr.cmd = ETHTOOL_GPERMADDR;
    data.addr.size = sizeof(data.space);
    strncpy(request.ifr_name, ifname, sizeof(request.ifr_name) - 1);
    request.ifr_data = (void *)&data;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    rc = ioctl(fd, SIOCETHTOOL, &request);
    e = errno;
    close(fd);
    if (rc != 0) { errno = e; return -1; }
    if (data.addr.size > sizeof(data.space) || data.addr.size > length) return 0;
    for (i = 0; i < data.addr.size; i++) { out[i] = data.addr.data[i]; nonzero |= data.addr.data[i]; }
    return nonzero ? (int)data.addr.size : 0;
}

#endif
