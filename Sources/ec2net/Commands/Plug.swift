import EC2NetCore
import EC2NetSystem

/// ec2-plug IFACE: udev RUN on add. Writes config, reloads, returns; never
/// waits for its own link (networkd configures it only after this udev
/// event ends).
enum Plug {
    static func run(_ rt: Runtime) throws -> ExitCode {
        let interface = try rt.interfaceArgument()
        guard let mac = try rt.mac(of: interface) else {
            rt.log.info("\(interface): gone before it could be configured")
            return .notOurs
        }
        if rt.invocation.mac == nil && !isENI(interface, rt) {
            rt.log.info("\(interface): not an ENI (driver \(rt.sysfs.driver(of: interface) ?? "none")); left alone")
            return .notOurs
        }
        if NamingPolicy.isTemporaryName(interface) && rt.configuration.namingMode == .deviceIndex {
            // Parked until its device-index name is free; configured after the rename.
            PendingRenames.retrigger(rt)
            rt.log.info("\(interface) (\(mac)): on a temporary name; configuring after the rename")
            return .ok
        }
        PendingRenames.release(mac, rt)
        // This interface may just have left a name a parked one waits for;
        // hand it over before anything here can fail (IMDS at boot).
        PendingRenames.retrigger(rt)
        let coordinator = try ReloadCoordinator(runDirectory: rt.paths.runtime)
        let configurator = try rt.makeConfigurator()
        let outcome: ConfigureOutcome
        if let early = try configurator.precheck(interface: interface, mac: mac) {
            outcome = early
        } else {
            let present = rt.sysfs.exists(interface)
            let m = try rt.reader.read(mac: mac, timeout: rt.configuration.deviceNumberTimeout)
            // The wait for propagation can outlast the interface (detached again).
            if present && !rt.sysfs.exists(interface) {
                rt.log.info("\(interface) (\(mac)): gone while its metadata propagated; nothing written")
                _ = rt.finish(coordinator)
                return .notOurs
            }
            outcome = try configurator.commit(interface: interface, metadata: m)
        }
        rt.imds.close()
        OutcomeLog.write(outcome, interface: interface, mac: mac, log: rt.log)
        if outcome.changedFiles { try coordinator.markPending() }
        _ = rt.finish(coordinator)
        if outcome.changedFiles { rt.cleanStaleRules(configurator.tree) }
        return OutcomeLog.exitCode(outcome)
    }

    /// From udev, the rule already matched the driver (ID_NET_DRIVER); by
    /// hand, the sysfs driver must be one EC2 uses, so veth, bridges and
    /// VLANs are never touched.
    static func isENI(_ interface: String, _ rt: Runtime) -> Bool {
        if rt.environment("ACTION") != nil, rt.environment("ID_NET_DRIVER") != nil { return true }
        return rt.drivers.contains(rt.sysfs.driver(of: interface) ?? "")
    }
}
