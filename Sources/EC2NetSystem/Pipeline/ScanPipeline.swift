import EC2NetCore

/// What ec2-ifscan does (the boot scan and the refresh timer): configure
/// every ENI that lacks config, refresh configured ones, remove config of
/// gone ones; one IMDS token and connection, ENIs waiting for propagation
/// polled together (PropagationWait), one reload at the end. An IMDS error
/// never removes config (upstream #161): only a gone interface loses its file.
public final class ScanPipeline {
    public struct Options: Sendable {
        /// A refresh does not wait for propagation: the next tick will see it.
        public var refresh = false
        public var setHostname = false
        public var checkDefaultRoute = false

        public init(refresh: Bool = false, setHostname: Bool = false, checkDefaultRoute: Bool = false) {
            self.refresh = refresh
            self.setHostname = setHostname
            self.checkDefaultRoute = checkDefaultRoute
        }
    }

    /// What went wrong per interface; the scan itself carries on.
    public struct Report {
        public var failures: [PipelineError] = []
        public var changedFiles = false
        /// IMDS answered 403: the scan stopped at once.
        public var forbidden: Bool {
            failures.contains { if case .metadata(.imds(.forbidden(_))) = $0 { return true } else { return false } }
        }
    }

    private let configuration: Configuration
    private let paths: Paths
    private let sysfs: Sysfs
    private let devices: DeviceEnumerator
    private let metadata: MetadataReader
    /// Altnames, rules, and the routes and hostname when the options ask.
    private let kernel: KernelAccess
    private let reloader: Reloader
    private let clock: MonotonicClock
    /// The run's deadline for every lock it takes.
    private let lockDeadline: WaitDeadline?
    private let log: Log

    public init(_ context: RunContext, devices: DeviceEnumerator) {
        configuration = context.configuration
        paths = context.paths
        sysfs = context.sysfs
        self.devices = devices
        metadata = context.metadata
        kernel = context.kernel
        reloader = context.reloader
        clock = context.clock
        lockDeadline = context.lockDeadline
        log = context.log
    }

    public func run(_ options: Options) throws(PipelineError) -> Report {
        // Manage=none: installed but inert; no removal, no rule cleanup, no reload.
        if ManagementDecision.forEveryInterface(configuration) != nil {
            log.info("Manage=none; nothing done")
            return Report()
        }
        let configurator = try PipelineError.files { () throws(FileError) in
            try InterfaceConfigurator(configuration: configuration, paths: paths, links: self.kernel.links,
                                      identities: kernel.linkIdentities(sysfs: sysfs, paths: paths), lockDeadline: lockDeadline, log: log)
        }
        // A list that cannot be taken completely is no list: nothing is
        // configured or removed on it (only ENOENT is absent).
        let found = try PipelineError.devices { () throws(SysfsError) in try devices.enumerate() }
        let others = OtherManagerDetector(paths: paths, sysfs: sysfs)
        for d in found {
            if let other = others.manager(of: d.name) {
                log.warning("\(d.name) (\(d.mac)): \(other) also manages it; ec2net's networkd config may conflict")
            }
        }
        let report = try ReloadScope.run(paths: paths, lockDeadline: lockDeadline, reloader: reloader, log: log) {
            scope throws(PipelineError) -> Report in
            var report = Report()
            try removeGone(present: Set(found.map { $0.mac }), configurator, &report)
            try configure(found, configurator, options, &report)
            metadata.closeConnection()
            if options.setHostname && configuration.setHostname, let hostname = kernel.hostname {
                HostnameUpdate(paths: paths, metadata: metadata, setter: hostname, log: log).run()
            }
            metadata.closeConnection()
            if report.changedFiles { try scope.filesChanged() }
            return report
        }
        if let rules = kernel.rules { StaleRuleCleaner(paths: paths, rules: rules, lockDeadline: lockDeadline, log: log).clean() }
        // Judged after this scan's own reload (if any) took effect, so a
        // normal boot does not report the moment before the primary's route.
        if options.checkDefaultRoute, let routes = kernel.routes,
           DefaultRouteCheck(metadata: metadata, routes: routes, sysfs: sysfs, log: log)
               .run(afterReload: report.changedFiles, clock: clock) {
            // A reload lets the primary's metric 512 apply.
            try ReloadScope.run(paths: paths, lockDeadline: lockDeadline, reloader: reloader, log: log) { scope throws(PipelineError) in
                try scope.filesChanged()
            }
        }
        metadata.closeConnection()
        return report
    }

    /// Config whose interface is gone: the only case where a scan removes,
    /// and only when the MAC is still on no interface under its lock.
    private func removeGone(present: Set<MACAddress>, _ configurator: InterfaceConfigurator,
                            _ report: inout Report) throws(PipelineError) {
        let removal = InterfaceRemoval(tree: configurator.tree, paths: paths, sysfs: sysfs, lockDeadline: lockDeadline)
        for f in try PipelineError.files({ () throws(FileError) in try configurator.tree.owned() }) where !present.contains(f.mac) {
            let removed: [String]
            switch try removal.removeIfGone(f.mac) {
            case .present(let carriers):
                log.info("\(f.interface) (\(f.mac)): not in the scan's list, but the MAC is on \(carriers.joined(separator: ", ")); its config stays")
                continue
            case .removed(let names): removed = names
            }
            if !removed.isEmpty {
                log.info("\(f.interface) (\(f.mac)): interface gone; removed \(removed.joined(separator: ", "))")
                report.changedFiles = true
            }
        }
    }

    private func configure(_ found: [NetworkDevice], _ configurator: InterfaceConfigurator, _ options: Options,
                           _ report: inout Report) throws(PipelineError) {
        var waiting: [NetworkDevice] = []
        for d in found {
            let subject = ManagementDecision.Subject(mac: d.mac, name: d.name)
            guard let reason = try PipelineError.files({ () throws(FileError) in try configurator.decide(subject) }) else {
                waiting.append(d)
                continue
            }
            if let early = try PipelineError.files({ () throws(FileError) in try configurator.stepAside(reason, mac: d.mac) }) {
                OutcomeLog.write(early, interface: d.name, mac: d.mac, log: log)
                report.changedFiles = report.changedFiles || early.changedFiles
            } else {
                log.info("\(d.name) (\(d.mac)): \(reason); left alone")
            }
        }
        var byMAC: [MACAddress: NetworkDevice] = [:]
        for d in waiting where byMAC[d.mac] == nil { byMAC[d.mac] = d }
        var fileError: FileError? = nil
        PropagationWait(reader: metadata, clock: clock).wait(
            for: waiting.map { $0.mac }, timeout: options.refresh ? 0 : configuration.deviceNumberTimeout,
            isPresent: { mac in byMAC[mac].map { sysfs.exists($0.name) } ?? false }
        ) { mac, result in
            guard let d = byMAC[mac] else { return true }
            switch result {
            case .ready(let m):
                do throws(FileError) {
                    let o = try configurator.commit(interface: d.name, metadata: m)
                    OutcomeLog.write(o, interface: d.name, mac: d.mac, log: log)
                    report.changedFiles = report.changedFiles || o.changedFiles
                } catch {
                    fileError = error
                    return false
                }
            case .gone:
                log.info("\(d.name) (\(d.mac)): gone during the scan; nothing written")
            case .failed(.imds(.forbidden(let path))):
                log.error("\(IMDSError.forbidden(path: path)); stopping the scan, config left as it was")
                report.failures.append(.metadata(.imds(.forbidden(path: path))))
                return false
            case .failed(let e):
                log.error("\(d.name) (\(d.mac)): \(e); its config is left as it was")
                report.failures.append(.metadata(e))
            case .notPropagated(let what, let waited):
                log.warning("\(d.name) (\(d.mac)): \(what) not in IMDS yet; the next scan will configure it")
                report.failures.append(.metadata(.notPropagated(d.mac, what: what, waited: waited)))
            }
            return true
        }
        if let fileError { throw .file(fileError) }
    }
}
