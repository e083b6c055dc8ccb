"""The scan through udev's view (issue 21, "udev's view"): the real
ec2-ifscan over a temporary root whose /run/udev/data holds records in
udev's format, beside a fake sysfs whose devices all carry the `ena` driver
link and an `ifindex`.

The records are modelled on ones systemd-udevd 252 wrote in the e2e
simulated instance (Tests/e2e/test_udev_initialized.py prints them):
    I:13677521822
    E:ID_NET_DRIVER=veth
    E:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link
    E:ID_NET_NAME=eth0
    E:EC2_IFNAME=eth0 ...
    V:1
with `ena` for ID_NET_DRIVER, as on an instance.

Run from the repository root after `swift build`:
    python3 -m pytest Tests/integration/test_udev_view.py
"""

from __future__ import annotations

from ec2net_harness import EX_OK, eni, file_of, iface_of, log_lines


def udev_dir(inst):
    return inst.root.path / "run" / "udev"


def set_ifindex(inst, index: int) -> int:
    ifindex = index + 2  # lo is 1
    (inst.root.sysfs / "class" / "net" / iface_of(index) / "ifindex").write_text(f"{ifindex}\n")
    return ifindex


def write_record(inst, index: int, driver: str = "ena") -> None:
    data = udev_dir(inst) / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / f"n{set_ifindex(inst, index)}").write_text(
        f"I:13677521822\nE:ID_NET_DRIVER={driver}\nE:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\n"
        f"E:ID_NET_NAME={iface_of(index)}\nE:EC2_IFNAME={iface_of(index)}\nE:EC2_DEVICE_NUMBER={index}\n"
        f"E:EC2_NETWORK_CARD=0\nV:1\n")


def test_only_interfaces_udev_initialized_are_configured(make_instance):
    inst = make_instance([eni(i) for i in range(3)])
    inst.add_devices(range(3))
    write_record(inst, 0)
    set_ifindex(inst, 1)            # in sysfs, udev still processing: no record
    write_record(inst, 2, "veth")   # udev's driver wins over sysfs's `ena` link

    result = inst.scan()

    assert result.returncode == EX_OK, result.stderr
    assert sorted(inst.generated()) == [file_of(0)], result.stderr
    assert len(log_lines(result, "eth1", "udev has not initialized it yet", "/run/udev/data/n3")) == 1, result.stderr

    # Not stranded: once udev has written the record, the next scan (the
    # timer's) configures it.
    write_record(inst, 1)
    again = inst.scan()
    assert again.returncode == EX_OK, again.stderr
    assert sorted(inst.generated()) == [file_of(0), file_of(1)], again.stderr


def test_a_configured_interface_without_a_record_keeps_its_config(make_instance):
    # Configured while udev was not running; then udev runs and has no
    # record for eth1 (say its event is being replayed): nothing is removed.
    inst = make_instance([eni(i) for i in range(2)])
    inst.add_devices(range(2))
    assert inst.scan().returncode == EX_OK
    before = inst.state()["network"]
    assert sorted(before) == [file_of(0), file_of(1)]
    write_record(inst, 0)
    set_ifindex(inst, 1)

    result = inst.scan()

    assert result.returncode == EX_OK, result.stderr
    assert inst.state()["network"] == before, result.stderr
    assert log_lines(result, "eth1", "udev has not initialized it yet"), result.stderr


def test_without_run_udev_sysfs_is_the_view(make_instance):
    # No /run/udev (udev not running: a container, an image build): every
    # device sysfs shows with an ENI driver is configured.
    inst = make_instance([eni(i) for i in range(2)])
    inst.add_devices(range(2))
    assert not udev_dir(inst).exists()

    result = inst.scan()

    assert result.returncode == EX_OK, result.stderr
    assert sorted(inst.generated()) == [file_of(0), file_of(1)], result.stderr
    assert not log_lines(result, "udev has not initialized"), result.stderr


def test_an_unreadable_record_is_an_error_and_changes_nothing(make_instance):
    # Only ENOENT is "no record": a record that cannot be read (here a
    # directory in its place: EISDIR on read, for root too) stops the scan
    # before anything is written or removed.
    inst = make_instance([eni(i) for i in range(2)])
    inst.add_devices(range(2))
    assert inst.scan().returncode == EX_OK
    before = inst.state()["network"]
    write_record(inst, 0)
    (udev_dir(inst) / "data" / f"n{set_ifindex(inst, 1)}").mkdir()

    result = inst.scan()

    assert result.returncode != EX_OK, result.stderr
    assert inst.state()["network"] == before
    assert log_lines(result, "/run/udev/data/n3"), result.stderr
