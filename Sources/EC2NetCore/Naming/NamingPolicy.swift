/// Decides an ENI's interface name from what is known about its slot. Pure:
/// the caller supplies the slot (from the persisted map or IMDS) and a way
/// to ask whether a name is taken.
///
/// Device-index names: card 0 device N is `ethN` (the primary is `eth0`);
/// card C > 0 device N is `eth<100*C+N>` (`eth100`, `eth101`, ...), which can
/// never collide with card 0 names because device numbers stay below 100.
///
/// Collisions: udev cannot rename onto a name another interface holds. An
/// ENI whose target is taken (typically two ENIs the kernel named in swapped
/// order) moves to a temporary name `tmp<MAC without colons>` that no kernel
/// name can clash with, which frees its kernel name for its rightful owner.
/// ec2-plug, which runs after each rename, re-triggers an `add` event for any
/// interface still on a temporary name whose target is now free, so the swap
/// completes whichever event udev handles first.
public enum NamingPolicy {
    /// What is known of an ENI's slot: the map's entry, or the same from IMDS.
    public typealias Known = DeviceMap.Entry

    public struct Decision: Equatable, Sendable {
        /// nil: keep the name udev chose.
        public let name: String?
        public let properties: [(String, String)]
        public let reason: String

        public static func == (a: Decision, b: Decision) -> Bool {
            a.name == b.name && a.reason == b.reason && a.properties.elementsEqual(b.properties, by: { $0 == $1 })
        }

        /// The udev IMPORT{program} output: KEY=value lines.
        public func render() -> String {
            var lines = properties.map { "\($0.0)=\($0.1)" }
            if let name { lines.insert("EC2_IFNAME=\(name)", at: 0) }
            return lines.map { $0 + "\n" }.joined()
        }
    }

    public static func targetName(for index: DeviceIndex) -> String {
        "eth\(100 * index.card + index.device)"
    }

    public static func temporaryName(for mac: MACAddress) -> String { "tmp" + mac.compact }

    public static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix("tmp") && name.utf8.count == 15
    }

    /// - Parameters:
    ///   - known: the slot, when the map or IMDS gave one.
    ///   - knownSecondary: IMDS says this MAC is not the primary even though its slot is not known yet.
    ///   - isTaken: whether another interface holds a name now.
    public static func decide(mode: Configuration.NamingMode, kernelName: String, mac: MACAddress,
                              known: Known?, knownSecondary: Bool, isTaken: (String) -> Bool) -> Decision {
        var props: [(String, String)] = []
        if let k = known {
            props.append(("EC2_DEVICE_NUMBER", String(k.index.device)))
            props.append(("EC2_NETWORK_CARD", String(k.index.card)))
            if let id = k.interfaceID { props.append(("EC2_ENI_ID", id.description)) }
        }
        switch mode {
        case .off:
            return Decision(name: nil, properties: [], reason: "naming is off")
        case .keep:
            return Decision(name: nil, properties: props, reason: "Mode=keep")
        case .deviceIndex:
            guard let k = known else {
                // Never let a secondary ENI sit on eth0, the primary's name.
                if knownSecondary && kernelName == "eth0" {
                    return Decision(name: temporaryName(for: mac), properties: props,
                                    reason: "a secondary ENI on eth0 with its device-number unknown yet")
                }
                return Decision(name: nil, properties: props, reason: "slot unknown; keeping the kernel name")
            }
            let target = targetName(for: k.index)
            if target == kernelName || !isTaken(target) {
                return Decision(name: target, properties: props, reason: "\(k.index)")
            }
            return Decision(name: temporaryName(for: mac), properties: props,
                            reason: "\(target) is held by another interface; waiting on a temporary name")
        }
    }
}
