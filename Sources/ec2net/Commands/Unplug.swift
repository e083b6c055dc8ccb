import EC2NetCore
import EC2NetSystem

/// ec2-unplug IFACE: udev RUN on remove (UnplugPipeline).
enum Unplug {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        let interface = try edges.interfaceArgument()
        // The device is gone from sysfs by now: only --mac, never sysfs.
        let mac = invocation.mac == nil ? nil : try edges.mac(of: interface)
        let pipeline = UnplugPipeline(edges.context)
        _ = try CommandError.pipeline { () throws(PipelineError) in try pipeline.run(interface: interface, mac: mac) }
        return .ok
    }
}
