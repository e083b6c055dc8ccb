import EC2NetCore
import EC2NetSystem

/// ec2-ifscan: the boot scan and the refresh timer (ScanPipeline).
enum IfScan {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
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
