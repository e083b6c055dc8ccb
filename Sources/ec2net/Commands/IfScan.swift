import EC2NetCore
import EC2NetSystem

/// ec2-ifscan: the boot scan and the refresh timer (ScanPipeline); with
/// --hostname-only, only the hostname (its own unit, so the scan needs no
/// CAP_SYS_ADMIN).
enum IfScan {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        if invocation.hostnameOnly {
            let c = edges.configuration
            if ManagementDecision.forEveryInterface(c) == nil && c.setHostname, let setter = edges.hostname {
                HostnameUpdate(paths: edges.paths, metadata: edges.metadata, setter: setter, log: edges.log).run()
            }
            return .ok
        }
        let options = ScanPipeline.Options(refresh: invocation.refresh, setHostname: invocation.setHostname,
                                           checkDefaultRoute: invocation.checkDefaultRoute)
        let pipeline = ScanPipeline(configuration: edges.configuration, paths: edges.paths, sysfs: edges.sysfs,
                                    devices: edges.devices, metadata: edges.metadata, links: edges.links,
                                    rules: edges.rules, routes: options.checkDefaultRoute ? edges.routes : nil,
                                    hostname: options.setHostname ? edges.hostname : nil,
                                    reloader: edges.reloader, clock: edges.clock, log: edges.log)
        let report = try CommandError.pipeline { () throws(PipelineError) in try pipeline.run(options) }
        // 403 stops the scan and says so; otherwise the worst per-ENI code.
        if report.forbidden { return .imdsForbidden }
        return report.failures.map(ExitCode.of).max() ?? .ok
    }
}
