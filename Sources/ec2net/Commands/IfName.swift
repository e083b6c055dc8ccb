import Glibc
import EC2NetCore
import EC2NetSystem

/// ec2-ifname [IFACE]: udev IMPORT{program} on add. Prints udev properties
/// and, in device-index mode, the name. Answers from the persisted map in
/// milliseconds; else asks IMDS within about 2 s; else prints no name, so
/// udev keeps its own. Always exits 0 unless the command line is wrong:
/// a failing IMPORT would only hide the properties it did find.
enum IfName {
    /// IMDS budget: udev waits for this program on every add event.
    static let imdsDeadline = 1.0

    static func run(_ rt: Runtime) throws -> ExitCode {
        let interface = try rt.interfaceArgument()
        let c = rt.configuration
        guard c.namingMode != .off, c.manage != .none, let mac = try? rt.mac(of: interface) else { return .ok }
        if c.exclusionReason(mac: mac, interfaceID: nil, index: nil, isPrimary: true) != nil { return .ok }

        var known: NamingPolicy.Known? = nil
        var knownSecondary = false
        var source = "map"
        if let e = DeviceMapStore(paths: rt.paths).load()[mac] {
            known = NamingPolicy.Known(index: e.index, interfaceID: e.interfaceID)
        } else {
            source = "IMDS"
            do {
                let m = try rt.reader.read(mac: mac, timeout: imdsDeadline, keys: [.interfaceID])
                known = NamingPolicy.Known(index: m.index, interfaceID: m.interfaceID)
            } catch {
                knownSecondary = (try? rt.reader.primaryMAC()).map { $0 != mac } ?? false
                source = "nothing (\(error))"
            }
            rt.imds.close()
        }
        let decision = NamingPolicy.decide(mode: c.namingMode, kernelName: interface, mac: mac, known: known,
                                           knownSecondary: knownSecondary, isTaken: { rt.sysfs.exists($0) })
        rt.log.info("\(interface) (\(mac)): name \(decision.name ?? "kept") from \(source): \(decision.reason)")
        // Parked (again): a later re-trigger may fire. Renamed: the marker
        // stays until ec2-plug runs on the final name, so no second `add`
        // for the old path can be queued behind the rename.
        if let name = decision.name, NamingPolicy.isTemporaryName(name) { PendingRenames.release(mac, rt) }
        print(decision.render(), terminator: "")
        return .ok
    }
}
