import EC2NetCore

/// What ec2-ifname does (udev IMPORT{program} on add): decide the udev
/// properties and, in device-index mode, the name. Answers from the naming
/// map in milliseconds; else asks IMDS (1 s propagation wait, 0.5 s requests); else decides
/// without, so udev keeps its own name.
public struct NamingPipeline {
    /// IMDS budget: udev waits for this program on every add event.
    public static let imdsDeadline = 1.0

    private let configuration: Configuration
    private let paths: Paths
    private let sysfs: Sysfs
    private let metadata: MetadataReader
    private let log: Log

    public init(_ context: RunContext) {
        configuration = context.configuration
        paths = context.paths
        sysfs = context.sysfs
        metadata = context.metadata
        log = context.log
    }

    /// nil: nothing to say (naming off, Manage=none, excluded, no MAC).
    public func run(interface: String, mac: MACAddress?) -> NamingPolicy.Decision? {
        let c = configuration
        guard c.namingMode != .off, let mac else { return nil }
        // The management decision before IMDS, without an admin's claim: a
        // claim is about networkd config, not the name (the admin's file
        // may match the name given here). Parked is what naming resolves.
        switch ManagementDecision.decide(ManagementDecision.Subject(mac: mac, name: interface), configuration: c, adminClaim: { nil }) {
        case .inert?, .excluded?: return nil
        case nil, .absent?, .notAnENI?, .temporaryName?, .claimed?, .secondaryUnderPrimaryOnly?, .noAddresses?: break
        }

        var known: NamingPolicy.Known? = nil
        var knownSecondary = false
        var source = "map"
        // An unreadable map is said, not taken for an empty one; IMDS, which
        // the map only caches, still knows the index.
        var map = DeviceMap()
        do { map = try DeviceMapStore(paths: paths).load() } catch {
            log.warning("\(interface) (\(mac)): cannot read the naming map: \(error); asking IMDS")
        }
        if let e = map[mac] {
            known = e
        } else {
            source = "IMDS"
            do {
                let m = try metadata.read(mac: mac, timeout: NamingPipeline.imdsDeadline, keys: [.interfaceID])
                known = NamingPolicy.Known(index: m.index, interfaceID: m.interfaceID)
            } catch {
                knownSecondary = (try? metadata.primaryMAC()).map { $0 != mac } ?? false
                source = "nothing (\(error))"
            }
            metadata.closeConnection()
        }
        let decision = NamingPolicy.decide(mode: c.namingMode, kernelName: interface, mac: mac, known: known,
                                           knownSecondary: knownSecondary, isTaken: { sysfs.exists($0) })
        log.info("\(interface) (\(mac)): name \(decision.name ?? "kept") from \(source): \(decision.reason)")
        // Parked (again): a later re-trigger may fire. Renamed: the marker
        // stays until ec2-plug runs on the final name, so no second `add`
        // for the old path can be queued behind the rename.
        if let name = decision.name, NamingPolicy.isTemporaryName(name) {
            RenameHandover(paths: paths, sysfs: sysfs, log: log).release(mac)
        }
        return decision
    }
}
