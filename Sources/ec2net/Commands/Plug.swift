import EC2NetCore
import EC2NetSystem

/// ec2-plug IFACE: udev RUN on add. Writes config, reloads, returns; never
/// waits for its own link (networkd configures it only after this udev
/// event ends).
enum Plug {
    static func run(_ rt: Runtime) throws -> ExitCode {
        guard let interface = rt.invocation.arguments.first ?? rt.environment("INTERFACE") else {
            throw UsageError(description: "ec2-plug needs an interface name")
        }
        guard InterfaceNameRule.isValid(interface) else { throw UsageError(description: "invalid interface name \(Printable.quote(interface))") }
        guard let mac = try rt.mac(of: interface) else {
            rt.log.info("\(interface): gone before it could be configured")
            return .notOurs
        }
        if rt.invocation.mac == nil && !rt.sysfs.isPhysical(interface) && !rt.drivers.contains(rt.sysfs.driver(of: interface) ?? "") {
            if rt.environment("EC2NET_DRIVERS") == nil {
                rt.log.info("\(interface): virtual interface, not an ENI; left alone")
                return .notOurs
            }
        }
        let coordinator = try ReloadCoordinator(runDirectory: rt.paths.runtime)
        let configurator = try rt.makeConfigurator()
        let outcome: ConfigureOutcome
        if let early = try configurator.precheck(interface: interface, mac: mac) {
            outcome = early
        } else {
            let m = try rt.reader.read(mac: mac, timeout: rt.configuration.deviceNumberTimeout)
            outcome = try configurator.commit(interface: interface, metadata: m)
        }
        rt.imds.close()
        OutcomeLog.write(outcome, interface: interface, mac: mac, log: rt.log)
        if outcome.changedFiles { try coordinator.markPending() }
        _ = rt.finish(coordinator)
        return OutcomeLog.exitCode(outcome)
    }
}
