"""The simulated EC2 instance: a `vpc` network namespace (subnet bridges,
dnsmasq, mock IMDS) wired by veth pairs ("ENIs") to an `inst` network +
mount + UTS namespace running real systemd-udevd, dbus-daemon and
systemd-networkd.  See Tests/e2e/README.md."""
