import EC2NetCore
import EC2NetSystem

/// ec2-plug IFACE: udev RUN on add (PlugPipeline).
enum Plug {
    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        let interface = try edges.interfaceArgument()
        let mac = try edges.mac(of: interface)
        let pipeline = PlugPipeline(edges.context)
        do {
            let code: ExitCode
            switch try pipeline.run(interface: interface, mac: mac, isENI: isENI(interface, invocation, edges)) {
            case .gone, .notAnENI, .goneWhileWaiting: code = .notOurs
            case .parked: code = .ok
            case .done(let outcome): code = ExitCode.of(outcome)
            }
            // udev logs every non-zero exit of a RUN program as a failure and
            // nothing reads the code: "not ours" (renamed or gone meanwhile,
            // excluded) was already logged at info, so udev gets 0.
            return edges.fromUdev ? .ok : code
        } catch {
            // From udev, IMDS not reachable yet (coldplug at boot) is a
            // hand-over to the boot scan, not a failure: udev would log any
            // non-zero exit of a RUN program as one.
            guard edges.fromUdev, ExitCode.of(error) == .tryLater else { throw .pipeline(error) }
            edges.context.log.info("\(interface): \(error); ec2-ifscan.service configures it")
            return .ok
        }
    }

    /// From udev, the rule already matched the driver (ID_NET_DRIVER); by
    /// hand, the sysfs driver must be one EC2 uses, so veth, bridges and
    /// VLANs are never touched. With --mac the caller vouches for it.
    static func isENI(_ interface: String, _ invocation: Invocation, _ edges: SystemEdges) -> Bool {
        if invocation.mac != nil || edges.fromUdev { return true }
        return edges.drivers.contains(edges.context.sysfs.driver(of: interface) ?? "")
    }
}
