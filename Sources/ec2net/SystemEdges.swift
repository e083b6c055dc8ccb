import CLinux
import EC2NetCore
import EC2NetSystem

/// The real collaborators for one run, built from the command line and the
/// environment. Construction only: what a run does is in EC2NetSystem's
/// pipelines, which take these as small protocols so tests substitute them.
///
/// `--root DIR` names a tree that is not this host's: the kernel is not
/// that tree's, so no kernel state is read or changed (no altnames, no rule
/// cleanup, no default-route check, no hostname); those steps log that they
/// were skipped.
struct SystemEdges {
    /// What the pipelines are wired to for this run.
    let context: RunContext
    private let invocation: Invocation
    /// The process environment (udev's variables, EC2NET_*, NO_COLOR).
    let environment: (String) -> String?

    init(invocation: Invocation, environment: @escaping (String) -> String?) throws(PipelineError) {
        self.invocation = invocation
        self.environment = environment
        let clock = SystemClock()
        let paths = Paths(root: invocation.root)
        let log = Syslog(program: invocation.tool.programName, echoToStderr: invocation.verbose)
        let loaded: ConfigurationLoader.Result
        do { loaded = try ConfigurationLoader.load(paths: paths, explicit: invocation.config) } catch { throw .configuration(error) }
        for d in loaded.diagnostics { log.warning("config: \(d)") }
        var c = loaded.configuration
        if let t = invocation.deviceNumberTimeout { c.deviceNumberTimeout = t }
        // One deadline per run (issue 21): IMDS, the propagation wait,
        // every lock and networkctl end by it (runDeadline says whose).
        let run = SystemEdges.runDeadline(invocation.tool, clock, environment("EC2NET_DEADLINE_SECONDS"))
        let wait: WaitDeadline? = if let run { WaitDeadline(deadline: run, clock: clock) } else { nil }
        let reloader = NetworkctlReloader(path: environment("EC2NET_NETWORKCTL") ?? NetworkctlReloader.defaultPath, deadline: wait)
        let metadata = MetadataReader(source: SystemEdges.imds(invocation, c, clock, log, run), clock: clock, deadline: run)
        // The kernel is this host's only for the host's own tree (no --root).
        let kernel: KernelAccess = paths.isRealRoot ? HostKernel(altNames: invocation.altNames, log: log) : NoKernel(log: log)
        context = RunContext(configuration: c, paths: paths, sysfs: Sysfs(root: invocation.sysfs), log: log, clock: clock,
                             metadata: metadata, reloader: reloader, kernel: kernel, deadline: run)
    }

    /// udev's programs by `udevBudget` (ec2-unplug too: it asks IMDS
    /// nothing, but takes locks and runs networkctl), the scan by
    /// `scanBudget` (below its units' TimeoutStartSec=); status, for
    /// people, waits as it always did.
    private static func runDeadline(_ tool: Invocation.Tool, _ clock: SystemClock, _ override: String?) -> RunDeadline? {
        switch tool {
        case .plug, .ifname, .unplug: return RunDeadline(start: clock.now(), budget: RunDeadline.budget(override: override))
        case .ifscan:
            return RunDeadline(start: clock.now(), budget: RunDeadline.budget(override: override, limit: RunDeadline.scanBudget))
        case .status: return nil
        }
    }

    private static func imds(_ invocation: Invocation, _ c: Configuration, _ clock: SystemClock, _ log: Log,
                             _ deadline: RunDeadline?) -> IMDSClient {
        let raw: [String]
        if let e = invocation.imds, !e.isEmpty { raw = [e] }
        else if let e = c.imdsEndpoint { raw = [e] }
        else { raw = IMDSClient.defaultEndpoints }
        var timing = IMDSClient.Timing()
        timing.requestTimeout = c.imdsTimeout
        if invocation.tool == .ifname { timing = .naming(requestTimeout: c.imdsTimeout) }
        let urls = raw.compactMap { try? HTTPURL(parsing: $0) }
        if urls.count != raw.count { log.error("invalid IMDS endpoint \(Printable.quote(raw.joined(separator: " "))); using the default") }
        return IMDSClient(endpoints: urls.isEmpty ? IMDSClient.defaultEndpoints.map { try! HTTPURL(parsing: $0) } : urls,
                          timing: timing, clock: clock, userAgent: "ec2net/\(Invocation.version)", deadline: deadline)
    }

    /// Drivers whose devices are ENIs (EC2NET_DRIVERS for other hardware).
    var drivers: Set<String> {
        guard let d = environment("EC2NET_DRIVERS"), !d.isEmpty else { return NetworkDevice.ec2Drivers }
        return Set(d.split(separator: " ").map(String.init))
    }

    /// A walk of sysfs (`--sysfs DIR`) seen through udev's database under
    /// the root; for the host's own, the kernel is asked for the driver of
    /// a device without a sysfs driver link.
    var devices: DeviceEnumerator {
        SysfsDevices(sysfs: context.sysfs, drivers: drivers, askKernel: invocation.sysfs == "/sys",
                     udev: UdevDatabase(paths: context.paths), log: context.log)
    }

    /// Run by udev for this event (RUN, IMPORT): ACTION is set.
    var fromUdev: Bool { environment("ACTION") != nil }

    /// IFACE from the command line, else udev's $INTERFACE, validated.
    func interfaceArgument() throws(CommandError) -> String {
        guard let name = invocation.arguments.first ?? environment("INTERFACE") else {
            throw .usage(UsageError(description: "\(invocation.tool.programName) needs an interface name"))
        }
        guard InterfaceNameRule.isValid(name) else { throw .usage(UsageError(description: "invalid interface name \(Printable.quote(name))")) }
        return name
    }

    /// The interface's MAC from --mac or sysfs; nil when sysfs has none (gone).
    func mac(of interface: String) throws(CommandError) -> MACAddress? {
        if let m = invocation.mac {
            do { return try MACAddress(parsing: m) } catch { throw .usage(UsageError(description: "--mac: \(error)")) }
        }
        do { return try context.sysfs.mac(of: interface) } catch { throw .pipeline(.interfaceState(interface: interface, error)) }
    }
}
