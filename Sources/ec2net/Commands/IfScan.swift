import Glibc
import EC2NetCore
import EC2NetSystem

/// ec2-ifscan: the boot scan and the refresh timer in one small process.
/// One IMDS token and connection for the whole scan; ENIs waiting for
/// propagation are polled round-robin, so waits overlap instead of adding
/// up; one reload at the end if anything changed. A refresh error never
/// removes config (upstream #161): only a gone interface loses its file.
enum IfScan {
    static func run(_ rt: Runtime) throws -> ExitCode {
        let coordinator = try ReloadCoordinator(runDirectory: rt.paths.runtime)
        let configurator = try rt.makeConfigurator()
        let devices = rt.deviceEnumerator().enumerate()
        OtherNetworkManagers.warn(about: devices, rt)
        var changed = false
        var worst = ExitCode.ok

        // Config whose interface is gone: the only case where a scan removes.
        let present = Set(devices.map(\.mac))
        for f in try configurator.tree.owned() where !present.contains(f.mac) {
            let removed = try configurator.remove(mac: f.mac)
            if !removed.isEmpty {
                rt.log.info("\(f.interface) (\(f.mac)): interface gone; removed \(removed.joined(separator: ", "))")
                changed = true
            }
        }

        var waiting: [NetworkDevice] = []
        for d in devices {
            if let early = try configurator.precheck(interface: d.name, mac: d.mac) {
                OutcomeLog.write(early, interface: d.name, mac: d.mac, log: rt.log)
                changed = changed || early.changedFiles
            } else {
                waiting.append(d)
            }
        }

        // A refresh does not wait for propagation: the next tick will see it.
        let timeout = rt.invocation.refresh ? 0 : rt.configuration.deviceNumberTimeout
        let start = rt.clock.now()
        while !waiting.isEmpty {
            var still: [(NetworkDevice, String)] = []
            for d in waiting {
                do {
                    switch try rt.reader.attempt(mac: d.mac) {
                    case .ready(let m):
                        guard rt.sysfs.exists(d.name) else {
                            rt.log.info("\(d.name) (\(d.mac)): gone during the scan; nothing written")
                            continue
                        }
                        let o = try configurator.commit(interface: d.name, metadata: m)
                        OutcomeLog.write(o, interface: d.name, mac: d.mac, log: rt.log)
                        changed = changed || o.changedFiles
                    case .pending(let what):
                        still.append((d, what))
                    }
                } catch let e as MetadataReadError {
                    if case .imds(.forbidden) = e {
                        rt.log.error("\(e); stopping the scan, config left as it was")
                        worst = .imdsForbidden
                        still = []
                        waiting = []
                        break
                    }
                    rt.log.error("\(d.name) (\(d.mac)): \(e); its config is left as it was")
                    worst = max(worst, ExitCode.forError(e))
                }
            }
            if still.isEmpty { break }
            if rt.clock.now() - start >= timeout {
                for (d, what) in still {
                    rt.log.warning("\(d.name) (\(d.mac)): \(what) not in IMDS yet; the next scan will configure it")
                }
                worst = max(worst, .tryLater)
                break
            }
            waiting = still.map(\.0)
            rt.clock.sleep(MetadataReader.pollInterval)
        }

        if rt.invocation.setHostname && rt.configuration.setHostname {
            HostnameStep.run(rt)
        }
        if rt.invocation.checkDefaultRoute && rt.paths.isRealRoot && DefaultRouteStep.run(rt) {
            changed = true
        }
        rt.imds.close()
        if changed { try coordinator.markPending() }
        _ = rt.finish(coordinator)
        rt.cleanStaleRules(configurator.tree)
        return worst
    }
}

extension ExitCode: Comparable {
    static func < (a: ExitCode, b: ExitCode) -> Bool { a.rawValue < b.rawValue }
}
