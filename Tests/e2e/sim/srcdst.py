"""EC2's source/destination check, on the VPC side of every ENI.

AWS, EC2 User Guide, "Source/destination checking" (and VPC User Guide,
"Elastic network interfaces"): "each EC2 instance performs
source/destination checks by default. This means that the instance must be
the source or destination of any traffic it sends or receives."  It is why
ec2net's policy routing exists: a reply from a secondary ENI's address that
leaves by the primary ENI is dropped by EC2.  A Linux bridge forwards
anything, so this module drops it here: an nftables table of family `bridge`
in the vpc namespace sees every frame that enters a subnet's bridge from an
ENI's veth (bridged or addressed to the router) and drops an IPv4/IPv6 frame
whose source address is not one of that ENI's addresses or delegated
prefixes.  Only the source is checked: the vpc router only ever sends an ENI
what is addressed to it.

What an ENI may send is what EC2 has assigned to it: the addresses of its
Eni value when it is plugged, then whatever the mock IMDS is told (attach,
`set` of local-ipv4s / ipv6s / ipv4-prefix / ipv6-prefix: sim/imds.py), as
IMDS shows what is assigned.  Each ENI has its own chain, rewritten whole in
one nft transaction, and its own named counter of dropped frames, which
survives the rewrites (`dropped(peer)`).
"""
import json

from .namespace import run_command

TABLE = "ec2net_srcdst"
ADDRESS_KEYS = ("local-ipv4s", "ipv6s", "ipv4-prefix", "ipv6-prefix")

# Sources allowed whatever the ENI holds, each with why EC2 must allow it:
ALWAYS_ALLOWED = [
    # ARP carries no IP header; an ARP request is how the instance finds the
    # router at all (EC2's VPC router answers it).
    "ether type arp accept",
    # DHCPDISCOVER / DHCPREQUEST before the ENI has a lease come from 0.0.0.0
    # (RFC 2131 4.1); EC2's DHCP server receives them.
    "ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept",
    # Link-local IPv6 (fe80::/10): router solicitations, neighbour discovery and
    # DHCPv6 all come from it (RFC 4861 6.3.7, RFC 8415 13.1); EC2 answers RA
    # and DHCPv6 on every ENI.
    "ip6 saddr fe80::/10 accept",
    # The unspecified address: duplicate address detection (RFC 4862 5.4.2)
    # and MLD reports before a link-local address exists (RFC 3590).
    "ip6 saddr :: accept",
]
# An ENI in an IPv6-only subnet holds EC2's link-local DHCPv4 lease from
# 169.254.0.0/16 (sim/topology.py): its IPv4 path to IMDS.  The simulation
# leases it dynamically, so the whole range is that ENI's.
IPV6_ONLY_DHCP4_SOURCES = "169.254.0.0/16"


class SourceDestCheck:
    def __init__(self, netns):
        self.netns = netns
        self.enis = {}  # mac -> {"peer": veth, "ipv6_only": bool, key: [addresses]}
        self._nft(f"add table bridge {TABLE}\n"
                  f"add chain bridge {TABLE} prerouting {{ type filter hook prerouting priority -200; policy accept; }}\n")

    # --- what EC2 has assigned ----------------------------------------------------
    def plug(self, eni):
        """The ENI's veth is a port now: from here on its frames are checked."""
        entry = self.enis.setdefault(eni.mac.lower(), {})
        entry.update(peer=eni.peer, ipv6_only=eni.subnet.ipv6_only)
        for key, values in zip(ADDRESS_KEYS, (eni.ipv4, eni.ipv6, eni.ipv4_prefixes, eni.ipv6_prefixes)):
            entry.setdefault(key, list(values))
        script = (f"add chain bridge {TABLE} {eni.peer}\n"
                  f"add counter bridge {TABLE} dropped_{eni.peer}\n"
                  f"add rule bridge {TABLE} prerouting iifname \"{eni.peer}\" jump {eni.peer}\n")
        self._nft(script + self._chain(eni.mac.lower()))

    def assigned(self, mac, key, values):
        """IMDS now lists `values` under `key` for this ENI (None: the key is gone)."""
        if key not in ADDRESS_KEYS:
            return
        entry = self.enis.setdefault(mac.lower(), {})
        # A captured tree holds a listing as IMDS serves it: one per line.
        entry[key] = values.split() if isinstance(values, str) else list(values or [])
        if entry.get("peer"):
            self._nft(self._chain(mac.lower()))

    def unplug(self, eni):
        """The veth is gone (and with it the jump's match); drop its chain."""
        entry = self.enis.pop(eni.mac.lower(), None)
        if not entry or not entry.get("peer"):
            return
        peer = entry["peer"]
        script = f"flush chain bridge {TABLE} prerouting\n"
        for other in self.enis.values():
            if other.get("peer"):
                script += f"add rule bridge {TABLE} prerouting iifname \"{other['peer']}\" jump {other['peer']}\n"
        script += f"delete chain bridge {TABLE} {peer}\ndelete counter bridge {TABLE} dropped_{peer}\n"
        self._nft(script)

    # --- evidence -----------------------------------------------------------------
    def dropped(self, peer):
        """Frames from this ENI that the check dropped so far."""
        out = self.netns.run(["nft", "-j", "list", "counter", "bridge", TABLE, f"dropped_{peer}"]).stdout
        for item in json.loads(out)["nftables"]:
            if "counter" in item:
                return item["counter"]["packets"]
        raise AssertionError(f"no counter dropped_{peer}: {out}")

    def ruleset(self):
        return self.netns.run(["nft", "list", "table", "bridge", TABLE]).stdout

    # --- nft ----------------------------------------------------------------------
    def _chain(self, mac):
        entry = self.enis[mac]
        peer = entry["peer"]
        ipv4 = entry.get("local-ipv4s", []) + entry.get("ipv4-prefix", [])
        ipv6 = entry.get("ipv6s", []) + entry.get("ipv6-prefix", [])
        if entry.get("ipv6_only"):
            ipv4 = ipv4 + [IPV6_ONLY_DHCP4_SOURCES]
        lines = [f"flush chain bridge {TABLE} {peer}"]
        lines += [f"add rule bridge {TABLE} {peer} {rule}" for rule in ALWAYS_ALLOWED]
        # A rule per source: an address inside a delegated prefix would make
        # one anonymous interval set conflict.
        lines += [f"add rule bridge {TABLE} {peer} ip saddr {source} accept" for source in ipv4]
        lines += [f"add rule bridge {TABLE} {peer} ip6 saddr {source} accept" for source in ipv6]
        lines.append(f"add rule bridge {TABLE} {peer} ether type {{ ip, ip6 }} counter name dropped_{peer} drop")
        return "\n".join(lines) + "\n"

    def _nft(self, script):
        """One nft transaction: all of it applies, or none."""
        self.netns.run(["nft", "-f", "-"], input=script)
