import EC2NetCore
import EC2NetSystem

/// ec2-ifname [IFACE]: udev IMPORT{program} on add (NamingPipeline). Prints
/// the udev properties. Exits 0 whenever the command line is right, even
/// when it has nothing to say: a failing IMPORT would only hide the
/// properties it did find, and udev keeps its own name then anyway. A
/// configuration that cannot be read fails earlier (SystemEdges, exit 78,
/// nothing printed): naming by defaults could contradict it.
enum IfName {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        let interface = try edges.interfaceArgument()
        let mac = try? edges.mac(of: interface)
        if let decision = NamingPipeline(edges.context).run(interface: interface, mac: mac ?? nil) {
            print(decision.render(), terminator: "")
        }
        return .ok
    }
}
