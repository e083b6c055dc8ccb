"""Issue 20: ec2net's [Match] verdict is networkd's, case by case.

Each case of match_corpus/cases.jsonl (generated, seeded, committed: see
match_corpus/generate.py) is installed as an admin file in
/etc/systemd/network (with its drop-ins), named for the case
(01-case-NNN.network), with a catch-all `Name=*` file after it
(02-rest-NNN.network), on the simulated instance with ec2net out of the way
(Manage=none: it writes nothing). After `networkctl reload`, networkd's
verdict for each link is whether it reports the case's file as the link's
network file (`networkctl --json=short status`, NetworkFile; the per-case
names say when networkd has picked again). The product's verdict is
match-oracle's (a test-only executable: the product's AdminNetworkFiles and
KernelLinkIdentityReader, run in the instance's namespaces). They must agree
for every case and every link.
"""
import json
import os
import shutil
import subprocess
import time

import pytest

from scenarios import CONFIG_FILE, link_configured, one_subnet, two_enis_same_subnet
from sim.simulation import PROJECT_ROOT, binaries_present, build_dir
from sim.wait import wait_until

pytestmark = pytest.mark.skipif(not binaries_present(), reason=f"ec2net binaries not built in {build_dir()}")

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "match_corpus", "cases.jsonl")
CASE_FILE = "/etc/systemd/network/01-case.network"
NETWORK = "[Network]\nLinkLocalAddressing=no\n"
ORACLE = "match-oracle"
ORACLE_IN_INSTANCE = "/run/ec2net-test/match-oracle"  # /run is the instance's tmpfs
# The links the corpus is about (generate.py): the two ENIs with the
# altnames ec2net gives them, and a veth pair made in the instance.
ALTNAMES = {"02:00:00:00:00:10": ["eni-0000000000000a010", "device-number-0.0"],
            "02:00:00:00:00:20": ["eni-0000000000000a020", "device-number-1.0"]}
EXTRA_PAIR = ("ens5", "02:00:0a:00:01:14", "peer5", "0a:1b:2c:3d:4e:5f")


def oracle_path():
    """The oracle beside the binaries, else SwiftPM's debug build of it, built
    when absent (`make e2e` tests the Embedded release, which has no oracle:
    a fresh clone builds it here)."""
    for path in (os.path.join(build_dir(), ORACLE), os.path.join(PROJECT_ROOT, ".build", "debug", ORACLE)):
        if os.access(path, os.X_OK):
            return path
    swift = shutil.which("swift") or "/opt/swift/usr/bin/swift"
    subprocess.run([swift, "build", "--product", ORACLE], cwd=PROJECT_ROOT, check=True)
    return os.path.join(PROJECT_ROOT, ".build", "debug", ORACLE)


def networkd_files(sim, links, case_id):
    """{link: the network file networkd applies} for each link, once networkd
    has picked again for this case. `networkctl reload` returns before it
    has (networkd 252 asks the kernel for each link anew and picks when the
    answer arrives, link_reconfigure()); every link ends on a file named for
    this case (the case's, or the catch-all after it), which says it has."""
    def picked():
        out = sim.instance.run(["networkctl", "--json=short", "status", "--no-pager", *links]).stdout
        found = {}
        for line in out.splitlines():
            if line.strip().startswith("{"):
                doc = json.loads(line)
                if doc.get("Name") in links:
                    found[doc["Name"]] = doc.get("NetworkFile") or ""
        if set(found) != set(links) or not all(f.endswith(f"-{case_id}.network") for f in found.values()):
            return None
        return found
    return wait_until(picked, timeout=30, what=f"networkd picked a file of case {case_id} for every link")


def install(sim, case):
    """The case's files under names of its own, and the catch-all after it."""
    for d in ("/etc/systemd/network", "/run/systemd/network", "/usr/lib/systemd/network"):
        for name in sim.instance.listdir(d):
            if name.startswith(("01-case-", "02-rest-")):
                path = sim.instance.path(f"{d}/{name}")
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    case_file = CASE_FILE.replace("01-case.network", f"01-case-{case['id']}.network")
    for path, text in case["files"].items():
        sim.instance.write_file(path.replace("/01-case.network", f"/01-case-{case['id']}.network"), text)
    sim.instance.write_file(f"/etc/systemd/network/02-rest-{case['id']}.network", "[Match]\nName=*\n\n" + NETWORK)
    return case_file


def test_matcher_agrees_with_networkd(sim):
    oracle = oracle_path()
    subnet = sim.add_subnet(one_subnet())
    enis = two_enis_same_subnet(subnet)
    sim.boot(list(enis), files={CONFIG_FILE: "[Interfaces]\nManage=none\n"})
    os.makedirs(os.path.dirname(sim.instance.path(ORACLE_IN_INSTANCE)), exist_ok=True)
    shutil.copy2(oracle, sim.instance.path(ORACLE_IN_INSTANCE))
    links = []
    for eni in enis:
        name = link_configured(sim, eni)
        links.append(name)
        for alt in ALTNAMES[eni.mac]:
            sim.instance.run(["ip", "link", "property", "add", "dev", name, "altname", alt])
    a, a_mac, b, b_mac = EXTRA_PAIR
    sim.instance.run(["ip", "link", "add", a, "address", a_mac, "type", "veth", "peer", "name", b, "address", b_mac])
    sim.instance.udevd.settle()
    links += [a, b]
    version = sim.instance.run(["networkctl", "--version"]).stdout.split("(")[1].split(")")[0]

    cases = [json.loads(line) for line in open(CORPUS)]
    assert len(cases) >= 200
    started = time.monotonic()
    disagreements, selected = [], 0
    for case in cases:
        case_file = install(sim, case)
        sim.instance.networkd.reload()
        applied = networkd_files(sim, links, case["id"])
        oracle = sim.instance.run([ORACLE_IN_INSTANCE, os.path.basename(case_file), *links], check=False)
        assert oracle.returncode == 0, f"case {case['id']}: {oracle.stdout}{oracle.stderr}"
        ours = {}
        for line in oracle.stdout.splitlines():
            name, selects, claims = line.split()
            ours[name] = (selects == "selects=1", claims == "claims=1")
        for link in links:
            theirs = applied[link] == case_file
            selected += theirs
            if ours[link][0] != theirs:
                disagreements.append(f"case {case['id']} link {link}: networkd {'selects' if theirs else 'does not'}"
                                     f" ({applied[link]}), ec2net {'selects' if ours[link][0] else 'does not'}:"
                                     f" {json.dumps(case['files'])}")
    elapsed = time.monotonic() - started
    total = len(cases) * len(links)
    print(f"{total - len(disagreements)}/{total} agree (systemd-networkd {version}): {len(cases)} cases x "
          f"{len(links)} links, {selected} selections, {elapsed:.1f} s")
    assert not disagreements, "\n".join(disagreements)
