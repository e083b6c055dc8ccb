"""Make the project's configuration match veths instead of EC2 NICs.

The installed rules and base .network match the EC2 drivers (ena, ixgbevf,
vif); the simulated ENIs are veths.  The test copies rewrite any driver
match that names only EC2 drivers, whatever its spelling, so the files can
change without the harness following them.
"""
import re

EC2_DRIVERS = {"ena", "ixgbevf", "vif"}

# udev: DRIVERS=="ena|ixgbevf|vif", DRIVER==..., ENV{ID_NET_DRIVER}==...
# A veth has no parent device, so DRIVERS=="veth" would never match;
# ID_NET_DRIVER (imported from ethtool by 80-net-setup-link.rules) does.
_UDEV_DRIVER_MATCH = re.compile(
    r'(?P<key>DRIVERS|DRIVER|ENV\{ID_NET_DRIVER\})\s*(?P<op>==|!=)\s*"(?P<value>[^"]*)"')
# networkd: Driver=ena ixgbevf vif
_NETWORKD_DRIVER_MATCH = re.compile(r'^(?P<key>\s*Driver\s*=\s*)(?P<value>.*)$', re.MULTILINE)


def _only_ec2(values):
    values = {v for v in values if v}
    return bool(values) and values <= EC2_DRIVERS


def udev_rules_for_veth(text):
    def replace(match):
        if _only_ec2(match.group("value").split("|")):
            return f'ENV{{ID_NET_DRIVER}}{match.group("op")}"veth"'
        return match.group(0)
    return _UDEV_DRIVER_MATCH.sub(replace, text)


def network_file_for_veth(text):
    def replace(match):
        if _only_ec2(match.group("value").replace("!", "").split()):
            negated = match.group("value").lstrip().startswith("!")
            return f'{match.group("key")}{"!" if negated else ""}veth'
        return match.group(0)
    return _NETWORKD_DRIVER_MATCH.sub(replace, text)
