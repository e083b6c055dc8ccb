import Glibc
import EC2NetCore
import EC2NetSystem

/// ec2net status [--json] [--no-imds] [IFACE...]: wiring only. The
/// gathering is StatusInspection, the judgement StatusEvaluator, the output
/// StatusTextRenderer / StatusJSONRenderer. Read-only: no file, no lock, no
/// reload, no process, no kernel change.
enum Status {
    static func run(_ rt: Runtime) throws -> ExitCode {
        let inv = rt.invocation
        for name in inv.arguments where !InterfaceNameRule.isValid(name) {
            throw UsageError(description: "invalid interface name \(Printable.quote(name))")
        }
        let result: StatusInspection.Result
        do {
            let kernel = NetlinkKernelState(channel: NetlinkChannel(transport: try NetlinkSocket()))
            let inspection = StatusInspection(configuration: rt.configuration, paths: rt.paths, devices: rt.deviceEnumerator(),
                                              metadata: inv.noIMDS ? nil : rt.reader, kernel: kernel,
                                              otherManagers: OtherManagerDetector(paths: rt.paths, sysfs: rt.sysfs))
            result = try inspection.gather()
        } catch {
            printError("ec2net status: cannot read the kernel's state: \(error)")
            return .osError
        }
        if !inv.noIMDS { rt.imds.close() }
        for name in inv.arguments where !result.evidence.interfaces.contains(where: { $0.isCalled(name) }) {
            printError("ec2net status: no ENI called \(name) (nor a file generated for one)")
            return .notOurs
        }
        let report = StatusEvaluator.evaluate(result.evidence, only: inv.arguments)
        let code: ExitCode
        switch report.verdict {
        case .ok: code = .ok
        case .drift: code = .drift
        case .unknown: code = result.imdsError.map { ExitCode.forError($0) } ?? .tryLater
        }
        // NO_COLOR (no-color.org): set at all means no colour.
        let colour = isatty(1) == 1 && rt.environment("NO_COLOR") == nil && rt.environment("TERM") != "dumb"
        print(inv.json ? StatusJSONRenderer.render(report, exitCode: code.rawValue)
                       : StatusTextRenderer(colour: colour).render(report), terminator: "")
        return code
    }
}
