import CLinux

/// The `[Match]` of a .network file (with its drop-ins) as systemd-networkd
/// 252 parses it, and networkd's verdict on a link. The facts, and where in
/// systemd v252 they come from:
///
/// - Every condition present must hold (`net_match_config()`,
///   src/shared/net-condition.c); a file whose [Match] holds no valid
///   setting and no condition is ignored (`network_verify()`,
///   src/network/networkd-network.c: "No valid settings found in the [Match]
///   section, ignoring file").
/// - `Name=`, `Driver=`, `Type=`, `Kind=`, `Path=`, `Property=`,
///   `WLANInterfaceType=`, `SSID=`: a value starting with `!` stores each of
///   its words with a `!` (`config_parse_match_strv()` and siblings); at match
///   time a pattern starting with `!` is a negative one, so a later word
///   written `!x` is negative too (and in a `!`-value it becomes `!!x`, a
///   negative pattern for the literal `!x`). Any negative hit fails; positive patterns,
///   if any, need a hit (`net_condition_test_strv()`, fnmatch(3) flags 0).
/// - `Name=` is tested against the kernel name, then against each altname
///   alone; any one passing passes (`net_condition_test_ifname()`): so
///   `Name=!eth0` still selects eth0 when eth0 has an altname.
/// - `MACAddress=`, `PermanentMACAddress=`: no negation; each word an address
///   in any form `parse_hw_addr_full(s, 0)` (src/basic/ether-addr-util.c)
///   takes, any case: `xx:xx:…`, `xx-xx-…`, `xxxx.xxxx.xxxx`, 1-digit fields,
///   IPv4/IPv6 text (4/16-byte tunnel addresses) and 20-byte InfiniBand;
///   invalid words are skipped with a warning (`config_parse_hw_addrs()`).
///   A link without a permanent address matches no `PermanentMACAddress=`.
/// - An empty assignment resets the key; repeated assignments add. Drop-ins
///   (`NAME.network.d/*.conf`) are parsed after the file into the same
///   [Match] (`config_parse_many()`), so they add and reset alike.
/// - Host=, Virtualization=, KernelCommandLine=, KernelVersion=,
///   Architecture=, Credential=, Firmware= are conditions
///   (`config_parse_net_condition()`: the last assignment of a kind wins,
///   empty drops it). ec2net cannot evaluate them, and decides
///   conservatively that they hold: a file that names this ENI by MAC or
///   exact name under such a condition is the admin's claim (ec2net never
///   fights the admin); `selects` is then "may select".
public struct NetworkMatch: Equatable, Sendable {
    /// Hardware addresses as bytes: 4, 6, 16 or 20 of them.
    public var hardwareAddresses: [[UInt8]] = []
    public var permanentHardwareAddresses: [[UInt8]] = []
    /// Patterns as networkd stores them: a leading `!` marks a negative one.
    public var names: [String] = []
    public var drivers: [String] = []
    public var types: [String] = []
    public var kinds: [String] = []
    public var paths: [String] = []
    /// `KEY=GLOB` (or `!KEY=GLOB`) against udev's properties.
    public var properties: [String] = []
    public var wlanInterfaceTypes: [String] = []
    public var ssids: [String] = []
    public var bssids: [[UInt8]] = []
    /// Conditions set (Host=, Virtualization=, …), by key: not evaluated.
    public var conditions: [String] = []
    /// False when networkd would refuse to load the file at all (an invalid
    /// section header is a parse error: `config_parse()` fails, the file is
    /// skipped with "Failed to load").
    public var loads = true

    public init() {}

    /// One file's text.
    public init(parsing text: String) { self.init(parsing: [text]) }

    /// A .network file followed by its drop-ins, in networkd's order.
    public init(parsing texts: [String]) {
        for text in texts { NetworkdConfigParser.parse(text, into: &self) }
    }

    /// True when networkd would apply this file to the link, were it the
    /// first in lexical order (conditions assumed to hold, see above).
    public func selects(_ link: LinkIdentity) -> Bool {
        guard loads, hasSettings else { return false }
        if !hardwareAddresses.isEmpty {
            guard let mac = link.mac, hardwareAddresses.contains(mac.bytes) else { return false }
        }
        if !permanentHardwareAddresses.isEmpty {
            guard let p = link.permanentMAC, permanentHardwareAddresses.contains(p.bytes) else { return false }
        }
        guard NetworkMatch.test(paths, link.properties["ID_PATH"]),
              NetworkMatch.test(drivers, link.driver),
              NetworkMatch.test(types, link.type),
              NetworkMatch.test(kinds, link.kind),
              NetworkMatch.test(names, link.name) || link.altNames.contains(where: { NetworkMatch.test(names, $0) }),
              testProperties(link.properties),
              // ENIs are not wireless: networkd passes no WLAN type or SSID
              // (NULL strings) and an all-zero BSSID.
              NetworkMatch.test(wlanInterfaceTypes, nil),
              NetworkMatch.test(ssids, nil)
        else { return false }
        if !bssids.isEmpty && !bssids.contains([0, 0, 0, 0, 0, 0]) { return false }
        return true
    }

    /// True when the file is about this one interface: it selects it and
    /// names it specifically, by its MAC (`MACAddress=`,
    /// `PermanentMACAddress=`) or by its exact name or altname (`Name=`
    /// without glob characters, e.g. `Name=eni-0123…` or
    /// `Name=device-number-1.0`). A file for a class of interfaces (a negated
    /// or wildcard `Name=`, only `Driver=`/`Type=`/`Kind=`/`Property=`, an
    /// admin's copy of the base 80-ec2.network) is not a claim: networkd
    /// takes the first matching file in lexical order, ec2net's `05-` file
    /// sorts before such files on purpose, and an admin who copies the base
    /// file to change it means to change the fallback, not to switch ec2net off.
    public func claims(_ link: LinkIdentity) -> Bool {
        guard selects(link) else { return false }
        if let mac = link.mac, hardwareAddresses.contains(mac.bytes) { return true }
        if let p = link.permanentMAC, permanentHardwareAddresses.contains(p.bytes) { return true }
        return names.contains { p in
            !p.hasPrefix("!") && !NetworkMatch.isGlob(p) && (p == link.name || link.altNames.contains(p))
        }
    }

    /// `net_match_is_empty()` and no condition: networkd ignores the file.
    public var hasSettings: Bool {
        !(hardwareAddresses.isEmpty && permanentHardwareAddresses.isEmpty && names.isEmpty && drivers.isEmpty
            && types.isEmpty && kinds.isEmpty && paths.isEmpty && properties.isEmpty && wlanInterfaceTypes.isEmpty
            && ssids.isEmpty && bssids.isEmpty && conditions.isEmpty)
    }

    /// `net_condition_test_strv()`: no patterns pass; a negative hit fails;
    /// else a positive hit is needed if there are positive patterns. A
    /// missing value (nil) hits nothing.
    static func test(_ patterns: [String], _ value: String?) -> Bool {
        if patterns.isEmpty { return true }
        var hit = false, hasPositive = false
        for p in patterns {
            let inverted = p.hasPrefix("!")
            let pattern = inverted ? String(p.dropFirst()) : p
            if !inverted { hasPositive = true }
            if let value, fnmatch(pattern, value, 0) == 0 {
                if inverted { return false }
                hit = true
            }
        }
        return hasPositive ? hit : true
    }

    /// `net_condition_test_property()`: every `KEY=GLOB` must hit, every
    /// `!KEY=GLOB` must not; a property the device lacks hits nothing.
    func testProperties(_ device: [String: String]) -> Bool {
        for p in properties {
            let inverted = p.hasPrefix("!")
            let body = inverted ? p.dropFirst() : Substring(p)
            guard let eq = body.firstIndex(of: "=") else { return false }
            let key = String(body[..<eq]), glob = String(body[body.index(after: eq)...])
            let hit = device[key].map { fnmatch(glob, $0, 0) == 0 } ?? false
            if inverted ? hit : !hit { return false }
        }
        return true
    }

    static func isGlob(_ pattern: String) -> Bool {
        pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" || $0 == "\\" }
    }
}
