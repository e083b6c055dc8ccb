import EC2NetCore
import EC2NetSystem

/// ec2-ifscan: the boot scan and the refresh timer (ScanPipeline); with
/// --hostname-only, only the hostname (its own unit, so the scan needs no
/// CAP_SYS_ADMIN).
enum IfScan {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        if invocation.hostnameOnly {
            let c = edges.context
            if ManagementDecision.forEveryInterface(c.configuration) == nil && c.configuration.setHostname,
               let setter = c.kernel.hostname {
                HostnameUpdate(paths: c.paths, metadata: c.metadata, setter: setter, log: c.log).run()
            }
            return .ok
        }
        let options = ScanPipeline.Options(refresh: invocation.refresh, setHostname: invocation.setHostname,
                                           checkDefaultRoute: invocation.checkDefaultRoute)
        let pipeline = ScanPipeline(edges.context, devices: edges.devices)
        let report = try CommandError.pipeline { () throws(PipelineError) in try pipeline.run(options) }
        // 403 stops the scan and says so; otherwise the most serious
        // per-ENI outcome (ExitCode.severity), not the largest number.
        if report.forbidden { return .imdsForbidden }
        return ExitCode.mostSerious(report.failures.map(ExitCode.of))
    }
}
