import Glibc
import EC2NetCore
import EC2NetSystem

/// Wires the edges for one run: paths, configuration, log, IMDS, netlink,
/// reloader. Commands get everything from here and nothing from globals.
final class Runtime {
    let invocation: Invocation
    let paths: Paths
    let log: Syslog
    let configuration: Configuration
    let clock = SystemClock()
    let sysfs: Sysfs
    let environment: (String) -> String?

    init(invocation: Invocation, environment: @escaping (String) -> String?) throws {
        self.invocation = invocation
        self.environment = environment
        paths = Paths(root: invocation.root)
        sysfs = Sysfs(root: invocation.sysfs)
        log = Syslog(program: invocation.tool.programName, echoToStderr: invocation.verbose)
        let loaded: ConfigurationLoader.Result
        do {
            loaded = try ConfigurationLoader.load(paths: paths, explicit: invocation.config)
        } catch {
            throw ConfigurationFailure(description: "cannot read configuration: \(error)")
        }
        for d in loaded.diagnostics { log.warning("config: \(d)") }
        var c = loaded.configuration
        if let t = invocation.deviceNumberTimeout { c.deviceNumberTimeout = t }
        configuration = c
    }

    private(set) lazy var imds: IMDSClient = {
        let raw: [String]
        if let e = invocation.imds, !e.isEmpty { raw = [e] }
        else if let e = configuration.imdsEndpoint { raw = [e] }
        else { raw = IMDSClient.defaultEndpoints }
        var timing = IMDSClient.Timing()
        timing.requestTimeout = configuration.imdsTimeout
        if invocation.tool == .ifname {
            // udev waits on ec2-ifname for every add event: about 2 s at worst.
            timing.requestTimeout = min(timing.requestTimeout, 0.5)
            timing.backoff = [0.05]
        }
        let urls = raw.compactMap { try? HTTPURL(parsing: $0) }
        if urls.count != raw.count { log.error("invalid IMDS endpoint \(Printable.quote(raw.joined(separator: " "))); using the default") }
        return IMDSClient(endpoints: urls.isEmpty ? IMDSClient.defaultEndpoints.map { try! HTTPURL(parsing: $0) } : urls,
                          timing: timing, clock: clock, userAgent: "ec2net/\(Invocation.version)")
    }()

    private(set) lazy var reader = MetadataReader(source: imds, clock: clock)

    func makeConfigurator() throws -> InterfaceConfigurator {
        try InterfaceConfigurator(configuration: configuration, paths: paths, reader: reader, links: makeLinks(), log: log)
    }

    func makeLinks() -> LinkControl? {
        guard invocation.altNames else { return nil }
        do {
            return AltNames(channel: NetlinkChannel(transport: try NetlinkSocket()))
        } catch {
            log.warning("altnames disabled: \(error)")
            return nil
        }
    }

    func makeReloader() -> Reloader {
        NetworkctlReloader(path: environment("EC2NET_NETWORKCTL") ?? NetworkctlReloader.defaultPath)
    }

    /// Drivers whose devices are ENIs; tests on veth set EC2NET_DRIVERS=veth.
    var drivers: Set<String> {
        guard let d = environment("EC2NET_DRIVERS"), !d.isEmpty else { return UdevDevices.ec2Drivers }
        return Set(d.split(separator: " ").map(String.init))
    }

    /// libudev on the real system; a directory walk when sysfs is redirected.
    func deviceEnumerator() -> DeviceEnumerator {
        invocation.sysfs == "/sys" ? UdevDevices(drivers: drivers, sysfs: sysfs) : SysfsDevices(sysfs: sysfs, drivers: drivers)
    }

    /// Finishes the reload coordination and logs what it did.
    func finish(_ coordinator: ReloadCoordinator) -> Bool {
        do {
            switch try coordinator.finish(reloader: makeReloader(), settle: clock) {
            case .reloaded: log.info("reloaded systemd-networkd")
            case .deferred: log.info("networkd reload deferred to another ec2net process still working")
            case .nothingPending: break
            }
            return true
        } catch {
            log.error("networkd reload failed: \(error); it stays pending for the next run")
            return false
        }
    }

    /// Removes ec2net's own kernel rules that no generated file wants (see
    /// StaleRuleCleaner). Only on the real root: with --root the kernel's
    /// rules belong to whatever host the tests run on.
    func cleanStaleRules(_ tree: GeneratedTree) {
        guard paths.isRealRoot, invocation.altNames else { return }
        do {
            let table = PolicyRuleTable(channel: NetlinkChannel(transport: try NetlinkSocket()))
            for r in try StaleRuleCleaner.clean(tree: tree, rules: table) {
                log.info("removed stale rule \(r)")
            }
        } catch {
            log.warning("stale rule cleanup: \(error)")
        }
    }

    /// IFACE from the command line, else udev's $INTERFACE, validated.
    func interfaceArgument() throws -> String {
        guard let name = invocation.arguments.first ?? environment("INTERFACE") else {
            throw UsageError(description: "\(invocation.tool.programName) needs an interface name")
        }
        guard InterfaceNameRule.isValid(name) else { throw UsageError(description: "invalid interface name \(Printable.quote(name))") }
        return name
    }

    /// The interface's MAC from --mac or sysfs.
    func mac(of interface: String) throws -> MACAddress? {
        if let m = invocation.mac {
            do { return try MACAddress(parsing: m) } catch { throw UsageError(description: "--mac: \(error)") }
        }
        return try sysfs.mac(of: interface)
    }
}

struct ConfigurationFailure: Error, CustomStringConvertible {
    let description: String
}
