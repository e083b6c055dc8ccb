"""Kernel and systemd state of the guest, as the tests assert it."""
import re

from sim.wait import wait_until


def rule_lines(vm):
    return [line.strip() for line in vm.ip_rules().splitlines() if line.strip()]


def policy_routing_ok(vm, eni):
    """The secondary ENI's rule `from <ip> lookup <table>` and its table's default route."""
    table = eni.route_table
    rules = vm.ip_rules()
    if not re.search(rf"from {re.escape(eni.ipv4[0])} lookup {table}\b", rules):
        return False
    routes = vm.run("/usr/sbin/ip", "-4", "route", "show", "table", str(table), check=False).stdout
    return "default via 10.0.0.1" in routes


def wait_policy_routing(vm, enis, timeout=120):
    """Every secondary ENI's policy routing in place (a failure bound, not a timing)."""
    secondaries = [e for e in enis if e.device_number != 0]
    wait_until(lambda: all(policy_routing_ok(vm, e) for e in secondaries), timeout=timeout, interval=0.5,
               what="policy routing of " + ", ".join(e.mac for e in secondaries))
    return rule_lines(vm)


def no_primary_rules(vm, primary):
    return f"lookup {primary.route_table}" not in vm.ip_rules() and f"from {primary.ipv4[0]} " not in vm.ip_rules()


def wait_boot_finished(vm, timeout=240):
    """systemctl is-system-running says running or degraded (not starting)."""
    return wait_until(lambda: vm.run("/usr/bin/systemctl", "is-system-running", check=False).stdout.strip()
                      in ("running", "degraded") and vm.run("/usr/bin/systemctl", "is-system-running",
                                                            check=False).stdout.strip(),
                      timeout=timeout, interval=1, what="boot finished")


def unit_succeeded(vm, unit):
    """A oneshot unit ran (an exit timestamp) with result success and status 0.
    Not 75: the refresh unit lists it in SuccessExitStatus= (IMDS unreachable,
    try later), which is right for the unit and wrong for a test claiming the
    refresh worked: a sandbox that blocks IMDS exits 75 on every run."""
    props = vm.run("/usr/bin/systemctl", "show", "-p", "Result,ExecMainStatus,ExecMainExitTimestampMonotonic",
                   unit).stdout
    values = dict(line.split("=", 1) for line in props.splitlines() if "=" in line)
    return (values.get("ExecMainExitTimestampMonotonic", "0") not in ("", "0")
            and values.get("Result") == "success" and values.get("ExecMainStatus") == "0"), values


def unit_finished_successfully(vm, unit, timeout=180):
    """unit_succeeded, once the unit has run at all this boot. A fresh-clone
    CI run on a loaded machine saw `is-system-running` report "running" while
    ec2-hostname.service had no exit timestamp yet (Result=success is only
    the default); polling for the exit keeps the assertion about the unit's
    outcome, not about how fast the guest got there. On timeout the message
    carries the guest's job queue and the unit's status."""
    def exited():
        ok, values = unit_succeeded(vm, unit)
        return (ok, values) if values.get("ExecMainExitTimestampMonotonic", "0") not in ("", "0") else None
    try:
        return wait_until(exited, timeout=timeout, interval=1, what=f"{unit} to run")
    except Exception:
        jobs = vm.run("/usr/bin/systemctl", "list-jobs", "--no-pager", check=False).stdout
        status = vm.run("/usr/bin/systemctl", "status", "--no-pager", unit, check=False).stdout
        return False, {"never ran": unit, "jobs": jobs, "status": status}


def outcome_lines(vm, unit):
    """ec2net's per-interface success lines ("configured: ..." or "config up
    to date", OutcomeLog.swift) logged by `unit` this boot."""
    return [line for line in vm.journal("-u", unit, "-t", "ec2net").splitlines()
            if ": configured: " in line or ": config up to date" in line]


def warnings_about_ec2net(vm):
    """Warning-or-worse journal lines from ec2net, or from udev about ec2net's programs."""
    lines = [line for line in vm.journal("-t", "ec2net", "-p", "warning").splitlines()
             if line and not line.startswith("--")]
    lines += [line for line in vm.journal("-u", "systemd-udevd").splitlines() if "/usr/libexec/ec2net" in line]
    return lines


def kernel_hostname(vm):
    """The guest kernel's hostname, as sethostname(2) left it (uname(2); the
    agent's guest-file-read of /proc/sys/kernel/hostname fails with ENOMEM)."""
    return vm.run("/usr/bin/uname", "-n").stdout.strip()
