import EC2NetCore

/// The one code path that configures an ENI, shared by ec2-plug (one
/// interface, from udev) and ec2-ifscan (every interface, in process).
/// Decides, renders, writes; never reloads (the caller's coordinator does,
/// once) and never waits for the link itself.
public final class InterfaceConfigurator {
    public let configuration: Configuration
    public let tree: GeneratedTree
    private let paths: Paths
    private let links: LinkControl?
    private let deviceMap: DeviceMapStore
    private let admin: AdminNetworkFiles
    private let identities: LinkIdentityReading?
    private let log: Log

    /// - Parameter identities: what networkd knows of a link, for the admin
    ///   claim; nil: the name and MAC only.
    public init(configuration: Configuration, paths: Paths, links: LinkControl?, identities: LinkIdentityReading? = nil,
                log: Log) throws(FileError) {
        self.configuration = configuration
        self.identities = identities
        self.paths = paths
        self.links = links
        self.log = log
        tree = try GeneratedTree(path: paths.networkdRuntime)
        deviceMap = DeviceMapStore(paths: paths)
        admin = AdminNetworkFiles(paths: paths)
    }

    /// Checks that need no IMDS: Manage=none, an excluded MAC, an admin file.
    public func precheck(interface: String, mac: MACAddress) throws(FileError) -> ConfigureOutcome? {
        if configuration.manage == .none { return .inert }
        // Primary-only is decided after IMDS says which ENI is primary.
        if let reason = configuration.exclusionReason(mac: mac, interfaceID: nil, index: nil, isPrimary: true) {
            return .excluded(reason: reason, removed: try remove(mac: mac))
        }
        if let file = try admin.claimant(try identity(interface, mac)) {
            return .adminOwned(file: file, removed: try remove(mac: mac))
        }
        return nil
    }

    private func identity(_ interface: String, _ mac: MACAddress) throws(FileError) -> LinkIdentity {
        // A link that went away meanwhile: judged by its name and MAC.
        try identities?.identity(of: interface) ?? LinkIdentity(name: interface, mac: mac)
    }

    /// Writes the config for a snapshot taken by the caller.
    public func commit(interface: String, metadata m: InterfaceMetadata) throws(FileError) -> ConfigureOutcome {
        if let reason = configuration.exclusionReason(mac: m.mac, interfaceID: m.interfaceID, index: m.index, isPrimary: m.isPrimary) {
            return .excluded(reason: reason, removed: try remove(mac: m.mac))
        }
        guard m.hasAnyAddress else {
            return .noAddresses(removed: try remove(mac: m.mac))
        }
        // networkd will also match on the altnames ec2net is about to add.
        if let file = try admin.claimant(try identity(interface, m.mac).adding(altNames: altNames(m))) {
            return .adminOwned(file: file, removed: try remove(mac: m.mac))
        }
        let files = NetworkdRenderer.render(m, interface: interface, configuration: configuration)
        let change = try InterfaceLock.holding(m.mac, paths: paths) { () throws(FileError) in try tree.apply(files, mac: m.mac) }
        do {
            if try deviceMap.record(m) { log.info("\(interface): recorded \(m.mac) as \(m.index) in \(paths.deviceMap)") }
        } catch {
            log.warning("\(interface): cannot update \(paths.deviceMap): \(error)")
        }
        addAltNames(interface: interface, metadata: m)
        return change.isEmpty ? .unchanged : .configured(written: change.written, removed: change.removed)
    }

    private func addAltNames(interface: String, metadata m: InterfaceMetadata) {
        guard let links else { return }
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
        try InterfaceLock.holding(mac, paths: paths) { () throws(FileError) in try tree.remove(mac: mac).removed }
    }
}
