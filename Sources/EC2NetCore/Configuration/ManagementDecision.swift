/// Whether ec2net manages an interface and, if not, why: the one decision
/// ec2-plug, ec2-ifscan, ec2-ifname, ec2-unplug and `ec2net status` take.
///
/// The checks are made in one order (`Check`, in declaration order); the
/// first that holds is the reason. A check whose facts are not known yet
/// (before IMDS answered) does not hold. Every check that needs no IMDS
/// comes before every check that does, and `Exclude=` names a MAC rule
/// before an IMDS one, so a reason found before IMDS is the one found after:
/// ec2-plug and `ec2net status` give the same reason for the same facts.
public enum ManagementDecision {
    /// Why ec2net leaves an interface alone.
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        /// `Manage=none`: installed but inert, for every interface.
        case inert
        /// No interface here carries the MAC (detached; a stale file).
        case absent
        /// Not an ENI (veth, bridge, VLAN: the driver is none EC2 uses).
        case notAnENI
        /// Parked on `tmp<MAC>` under `[Naming] Mode=device-index`:
        /// configured once udev gave it its final name.
        case temporaryName
        /// An administrator's `.network` file claims it (its path).
        case claimed(file: String)
        case excluded(ExclusionRule)
        /// `Manage=primary-only` and IMDS says this is a secondary ENI.
        case secondaryUnderPrimaryOnly
        /// IMDS lists no IPv4 or IPv6 address (EFA-only).
        case noAddresses

        /// For log lines.
        public var description: String {
            switch self {
            case .inert: return "Manage=none"
            case .absent: return "no interface with this MAC on this host"
            case .notAnENI: return "not an ENI"
            case .temporaryName: return "on a temporary name until udev renames it"
            case .claimed(let file): return "\(file) claims it"
            case .excluded(let rule): return "Exclude=\(rule)"
            case .secondaryUnderPrimaryOnly: return "Manage=primary-only"
            case .noAddresses: return "no IPv4 or IPv6 address in IMDS (EFA-only?)"
            }
        }

        /// A stable code (`ec2net status --json`, `reason_code`).
        public var code: String {
            switch self {
            case .inert: return "manage-none"
            case .absent: return "not-present"
            case .notAnENI: return "not-an-eni"
            case .temporaryName: return "temporary-name"
            case .claimed: return "admin-file"
            case .excluded: return "excluded"
            case .secondaryUnderPrimaryOnly: return "manage-primary-only"
            case .noAddresses: return "no-addresses"
            }
        }
    }

    /// The checks, in the order they are made. Why this order: what holds
    /// for every interface first (Manage=none), then what the host alone
    /// tells (sysfs, the name, the admin's files: no IMDS), then what
    /// ec2net.conf says about the ENI (a MAC without IMDS, an ENI id or a
    /// device number with it), then what only IMDS tells.
    public enum Check: CaseIterable, Sendable {
        case manage, presence, driver, name, adminClaim, exclusion, primaryOnly, addresses
    }

    /// What is known about one interface when the decision is taken.
    public struct Subject: Equatable, Sendable {
        public var mac: MACAddress
        /// The kernel's name; nil when no interface here has this MAC.
        public var name: String?
        /// The driver is one EC2 uses (udev's rule matched it, or sysfs).
        public var isENI: Bool
        /// From IMDS (the naming map remembers the slot and the id too);
        /// nil while unknown: a check that needs it does not hold yet.
        public var interfaceID: InterfaceID?
        public var index: DeviceIndex?
        public var isPrimary: Bool?
        public var hasAnyAddress: Bool?

        public init(mac: MACAddress, name: String?, isENI: Bool = true, interfaceID: InterfaceID? = nil,
                    index: DeviceIndex? = nil, isPrimary: Bool? = nil, hasAnyAddress: Bool? = nil) {
            self.mac = mac
            self.name = name
            self.isENI = isENI
            self.interfaceID = interfaceID
            self.index = index
            self.isPrimary = isPrimary
            self.hasAnyAddress = hasAnyAddress
        }

        /// The same interface once IMDS answered for it.
        public func knowing(_ m: InterfaceMetadata) -> Subject {
            var s = self
            s.interfaceID = m.interfaceID
            s.index = m.index
            s.isPrimary = m.isPrimary
            s.hasAnyAddress = m.hasAnyAddress
            return s
        }
    }

    /// The reason that holds for every interface, before any is looked at
    /// (a scan, an unplug, the package scripts): `Manage=none`.
    public static func forEveryInterface(_ c: Configuration) -> Reason? {
        c.manage == .none ? .inert : nil
    }

    /// nil: managed (before IMDS: nothing keeps ec2net from asking it).
    ///
    /// - Parameter adminClaim: the admin's file claiming the interface, read
    ///   only when every earlier check passed (not under Manage=none, not
    ///   for a veth); its error is the caller's.
    public static func decide<E: Error>(_ s: Subject, configuration c: Configuration,
                                        adminClaim: () throws(E) -> String?) throws(E) -> Reason? {
        for check in Check.allCases {
            if let reason = try reason(check, s, c, adminClaim) { return reason }
        }
        return nil
    }

    private static func reason<E: Error>(_ check: Check, _ s: Subject, _ c: Configuration,
                                         _ adminClaim: () throws(E) -> String?) throws(E) -> Reason? {
        switch check {
        case .manage:
            return forEveryInterface(c)
        case .presence:
            return s.name == nil ? .absent : nil
        case .driver:
            return s.isENI ? nil : .notAnENI
        case .name:
            guard c.namingMode == .deviceIndex, let name = s.name, NamingPolicy.isTemporaryName(name) else { return nil }
            return .temporaryName
        case .adminClaim:
            return try adminClaim().map { .claimed(file: $0) }
        case .exclusion:
            // A MAC rule first: it is known before IMDS, so the rule named
            // then is the one named after.
            let rule = c.exclude.first { $0.matches(mac: s.mac, interfaceID: nil, index: nil) }
                ?? c.exclude.first { $0.matches(mac: s.mac, interfaceID: s.interfaceID, index: s.index) }
            return rule.map { .excluded($0) }
        case .primaryOnly:
            return c.manage == .primaryOnly && s.isPrimary == false ? .secondaryUnderPrimaryOnly : nil
        case .addresses:
            return s.hasAnyAddress == false ? .noAddresses : nil
        }
    }
}
