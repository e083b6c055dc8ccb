import EC2NetCore

/// What ec2-plug does for one interface (udev RUN on add): decide, read
/// IMDS, render, write, record, add altnames, reload once, remove stale
/// rules. Never waits for its own link: networkd configures it only after
/// this udev event ends.
public final class PlugPipeline {
    public enum Result: Equatable {
        /// The interface disappeared before its MAC could be read.
        case gone
        /// Not an ENI (veth, bridge, VLAN...): left alone.
        case notAnENI(driver: String?)
        /// On a temporary name; configured after the rename (RenameHandover).
        case parked
        /// Detached again while its metadata propagated: nothing written.
        case goneWhileWaiting
        case done(ConfigureOutcome)
    }

    private let configuration: Configuration
    private let paths: Paths
    private let sysfs: Sysfs
    private let metadata: MetadataReader
    /// Altnames and rules: read only once the interface is ec2net's.
    private let kernel: KernelAccess
    private let reloader: Reloader
    private let clock: MonotonicClock
    /// The run's deadline for every lock it takes.
    private let lockDeadline: WaitDeadline?
    private let log: Log

    public init(_ context: RunContext) {
        configuration = context.configuration
        paths = context.paths
        sysfs = context.sysfs
        metadata = context.metadata
        kernel = context.kernel
        reloader = context.reloader
        clock = context.clock
        lockDeadline = context.lockDeadline
        log = context.log
    }

    /// - Parameters:
    ///   - mac: the interface's MAC; nil when it could not be read (gone).
    ///   - isENI: the driver check the caller made (udev's rule, or sysfs).
    public func run(interface: String, mac: MACAddress?, isENI: Bool) throws(PipelineError) -> Result {
        // Manage=none: installed but inert; not even a lock file is made.
        if ManagementDecision.forEveryInterface(configuration) != nil { return .done(.inert) }
        guard let mac else {
            log.info("\(interface): gone before it could be configured")
            return .gone
        }
        let subject = ManagementDecision.Subject(mac: mac, name: interface, isENI: isENI)
        let identities = kernel.linkIdentities(sysfs: sysfs, paths: paths)
        let reason = try PipelineError.files { () throws(FileError) in
            try InterfaceConfigurator.decide(subject, configuration: configuration, paths: paths, identities: identities)
        }
        let handover = RenameHandover(paths: paths, sysfs: sysfs, log: log)
        switch reason {
        case .notAnENI?:
            let driver = sysfs.driver(of: interface)
            log.info("\(interface): not an ENI (driver \(driver ?? "none")); left alone")
            return .notAnENI(driver: driver)
        case .temporaryName?:
            handover.retrigger()
            log.info("\(interface) (\(mac)): on a temporary name; configuring after the rename")
            return .parked
        default:
            break
        }
        if configuration.namingMode == .deviceIndex {
            handover.release(mac)
            // This interface may just have left a name a parked one waits
            // for; hand it over before anything here can fail (IMDS at boot).
            handover.retrigger()
        }

        let configurator: InterfaceConfigurator
        do {
            configurator = try InterfaceConfigurator(configuration: configuration, paths: paths, links: self.kernel.links,
                                                     identities: identities,
                                                     lockDeadline: lockDeadline, log: log)
        } catch { throw .file(error) }
        let result = try ReloadScope.run(paths: paths, lockDeadline: lockDeadline, reloader: reloader, turn: .awaitReload, log: log) {
            scope throws(PipelineError) -> Result in
            defer { metadata.closeConnection() }
            let outcome: ConfigureOutcome
            if let reason {
                // Not an ENI and parked returned above; Manage=none before that.
                guard let early = try PipelineError.files({ () throws(FileError) in try configurator.stepAside(reason, mac: mac) }) else {
                    return .gone
                }
                outcome = early
            } else {
                guard let m = try snapshot(of: mac, interface: interface) else { return .goneWhileWaiting }
                outcome = try PipelineError.files { () throws(FileError) in try configurator.commit(interface: interface, metadata: m) }
            }
            OutcomeLog.write(outcome, interface: interface, mac: mac, log: log)
            if outcome.changedFiles { try scope.filesChanged() }
            return .done(outcome)
        }
        if case .done(let o) = result, o.changedFiles, let rules = kernel.rules {
            StaleRuleCleaner(paths: paths, rules: rules, lockDeadline: lockDeadline, log: log).clean()
        }
        return result
    }

    /// The ENI's metadata, waiting for a hot-plugged ENI's attachment to
    /// propagate; nil when the interface went away meanwhile.
    private func snapshot(of mac: MACAddress, interface: String) throws(PipelineError) -> InterfaceMetadata? {
        var result: PropagationWait.Result = .gone
        PropagationWait(reader: metadata, clock: clock)
            .wait(for: [mac], timeout: configuration.deviceNumberTimeout, isPresent: { _ in sysfs.exists(interface) }) {
                _, r in
                result = r
                return true
            }
        switch result {
        case .ready(let m): return m
        case .gone:
            log.info("\(interface) (\(mac)): gone while its metadata propagated; nothing written")
            return nil
        case .failed(let e): throw .metadata(e)
        case .notPropagated(let what, let waited): throw .metadata(.notPropagated(mac, what: what, waited: waited))
        }
    }
}
