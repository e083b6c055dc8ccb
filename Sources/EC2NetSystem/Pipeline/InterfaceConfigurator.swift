import EC2NetCore

/// The one code path that configures an ENI, shared by ec2-plug (one
/// interface, from udev) and ec2-ifscan (every interface, in process).
/// Decides, renders, writes; never reloads (the caller's coordinator does,
/// once) and never waits for the link itself.
public final class InterfaceConfigurator {
    public let configuration: Configuration
    public let tree: GeneratedTree
    private let paths: Paths
    /// Read on the first altname to add: a configurator that adds none
    /// opens no netlink channel (HostKernel).
    private let links: () -> LinkControl?
    private let deviceMap: DeviceMapStore
    private let ledger: RuleLedger
    private let identities: LinkIdentityReading?
    /// The run's deadline for the per-MAC, ledger and naming-map locks.
    private let lockDeadline: WaitDeadline?
    private let log: Log

    /// - Parameter identities: what networkd knows of a link, for the admin
    ///   claim; nil: the name and MAC only.
    public init(configuration: Configuration, paths: Paths, links: @escaping @autoclosure () -> LinkControl?, identities: LinkIdentityReading? = nil,
                lockDeadline: WaitDeadline?, log: Log) throws(FileError) {
        self.configuration = configuration
        self.lockDeadline = lockDeadline
        self.identities = identities
        self.paths = paths
        self.links = links
        self.log = log
        tree = try GeneratedTree(path: paths.networkdRuntime, pending: PendingReload(runDirectory: paths.runtime), log: log)
        deviceMap = DeviceMapStore(paths: paths)
        ledger = RuleLedger(paths: paths)
    }

    /// The management decision before IMDS (ManagementDecision: Manage=,
    /// the driver, a temporary name, an admin's file, Exclude= by MAC).
    /// The admin's file claiming the interface is read here, at the edge,
    /// and only when the decision gets that far.
    public static func decide(_ subject: ManagementDecision.Subject, configuration: Configuration, paths: Paths,
                              identities: LinkIdentityReading?,
                              addingAltNames: [String] = []) throws(FileError) -> ManagementDecision.Reason? {
        try ManagementDecision.decide(subject, configuration: configuration) { () throws(FileError) in
            guard let name = subject.name else { return nil }
            // A link that went away meanwhile: judged by its name and MAC.
            // Its identity is an interface's state, not configuration.
            var linkUnreadable = false
            let link = { () throws(FileError) -> LinkIdentity in
                do throws(FileError) { return try identities?.identity(of: name) ?? LinkIdentity(name: name, mac: subject.mac) } catch {
                    linkUnreadable = true
                    throw error
                }
            }
            do throws(FileError) { return try AdminNetworkFiles(paths: paths).claimant(try link().adding(altNames: addingAltNames)) } catch {
                throw linkUnreadable ? error : error.asConfiguration
            }
        }
    }

    /// - Parameter addingAltNames: the altnames ec2net is about to add
    ///   (networkd will match on them too).
    public func decide(_ subject: ManagementDecision.Subject,
                       addingAltNames: [String] = []) throws(FileError) -> ManagementDecision.Reason? {
        try InterfaceConfigurator.decide(subject, configuration: configuration, paths: paths, identities: identities,
                                         addingAltNames: addingAltNames)
    }

    /// What ec2net does when it leaves an interface alone: removes its stale
    /// config where the README says so (excluded, claimed, no address).
    /// nil: nothing of this interface to touch (not an ENI, not here, parked).
    public func stepAside(_ reason: ManagementDecision.Reason, mac: MACAddress) throws(FileError) -> ConfigureOutcome? {
        switch reason {
        case .inert: return .inert
        case .excluded, .secondaryUnderPrimaryOnly: return .excluded(reason: reason.description, removed: try remove(mac: mac))
        case .claimed(let file): return .adminOwned(file: file, removed: try remove(mac: mac))
        case .noAddresses: return .noAddresses(removed: try remove(mac: mac))
        case .absent, .notAnENI, .temporaryName: return nil
        }
    }

    /// Writes the config for a snapshot taken by the caller.
    public func commit(interface: String, metadata m: InterfaceMetadata) throws(FileError) -> ConfigureOutcome {
        // The same decision as before IMDS, now with what IMDS said, and
        // the claim judged with the altnames ec2net is about to add.
        if let reason = try decide(ManagementDecision.Subject(mac: m.mac, name: interface).knowing(m),
                                   addingAltNames: altNames(m)),
           let outcome = try stepAside(reason, mac: m.mac) {
            return outcome
        }
        let files = NetworkdRenderer.render(m, interface: interface, configuration: configuration)
        let change = try InterfaceLock.holding(m.mac, paths: paths, until: lockDeadline) { () throws(FileError) in
            // The rules are on record before networkd can see the file that asks for them.
            try ledger.holding(until: lockDeadline) { () throws(FileError) in
                try ledger.record(files)
                return try tree.apply(files, mac: m.mac)
            }
        }
        do {
            if try deviceMap.record(m, until: lockDeadline) { log.info("\(interface): recorded \(m.mac) as \(m.index) in \(paths.deviceMap)") }
        } catch {
            log.warning("\(interface): cannot update \(paths.deviceMap): \(error)")
        }
        addAltNames(interface: interface, metadata: m)
        return change.isEmpty ? .unchanged : .configured(written: change.written, removed: change.removed)
    }

    private func addAltNames(interface: String, metadata m: InterfaceMetadata) {
        guard let links = links() else { return }
        for name in altNames(m) {
            do {
                switch try links.addAltName(name, interface: interface) {
                case .added: log.info("\(interface): added altname \(name)")
                case .alreadyPresent: break
                case .heldBy(let other): log.warning("\(interface): altname \(name) is held by \(other); not added")
                }
            } catch {
                log.warning("\(interface): altname \(name): \(error)")
            }
        }
    }

    /// The altnames ec2net gives an ENI: `eni-…` and `device-number-D.C`.
    private func altNames(_ m: InterfaceMetadata) -> [String] {
        var names: [String] = []
        if let id = m.interfaceID { names.append(id.description) }
        names.append("device-number-\(m.index.device).\(m.index.card)")
        return names
    }

    /// Removes everything generated for a MAC (unplug, exclusion, stale config).
    public func remove(mac: MACAddress) throws(FileError) -> [String] {
        try InterfaceLock.holding(mac, paths: paths, until: lockDeadline) { () throws(FileError) in try tree.remove(mac: mac).removed }
    }
}
