"""A private system bus for the instance.

networkd publishes org.freedesktop.network1 on the system bus and
`networkctl reload` calls it there.  The host has no running bus (and must
not get one), so the instance runs its own dbus-daemon with its socket at
the usual /run/dbus/system_bus_socket inside the private /run.  No <user>:
it stays root (only root and systemd-network ever connect) and the policy
allows everything — access control is not what these tests are about.
"""
import os

from .process import wait_for_path

SOCKET = "/run/dbus/system_bus_socket"

CONFIG = f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={SOCKET}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""


class SystemBus:
    def __init__(self, instance):
        self.instance = instance
        self.process = None

    def start(self):
        config = os.path.join(self.instance.run_dir, "dbus-system.conf")
        with open(config, "w") as f:
            f.write(CONFIG)
        self.process = self.instance.spawn(
            "dbus-daemon", ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--nosyslog"])
        wait_for_path(self.instance.path(SOCKET), self.process)

    def stop(self):
        if self.process:
            self.process.stop()
