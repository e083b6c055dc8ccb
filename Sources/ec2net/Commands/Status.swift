import CLinux
import EC2NetCore
import EC2NetSystem

/// ec2net status [--json] [--no-imds] [IFACE...]: wiring only. The
/// gathering is StatusInspection, the judgement StatusEvaluator, the output
/// StatusTextRenderer / StatusJSONRenderer. Read-only: no file, no lock, no
/// reload, no process, no kernel change.
enum Status {
    /// What `run` can return: its verdicts, the usage and unknown-IFACE
    /// checks, rtnetlink (71), sysfs or ec2net's own files unreadable (74),
    /// the IMDS error behind an unknown verdict, and
    /// the configuration that loads before it (78). ec2net-status(8) lists
    /// the same (DocsTests).
    static let exitCodes: Set<ExitCode> = [.ok, .drift, .usage, .badMetadata, .notOurs, .osError,
                                           .ioError, .tryLater, .imdsProtocol, .imdsForbidden, .configuration]

    static func run(_ invocation: Invocation, _ edges: SystemEdges) throws(CommandError) -> ExitCode {
        for name in invocation.arguments where !InterfaceNameRule.isValid(name) {
            throw .usage(UsageError(description: "invalid interface name \(Printable.quote(name))"))
        }
        let result: StatusInspection.Result
        let socket: NetlinkSocket
        do { socket = try NetlinkSocket() } catch { throw .kernelUnreadable(error) }
        do throws(StatusInspectionError) {
            let kernel = NetlinkKernelState(channel: NetlinkChannel(transport: socket))
            let c = edges.context
            let inspection = StatusInspection(configuration: c.configuration, paths: c.paths, devices: edges.devices,
                                              metadata: invocation.noIMDS ? nil : c.metadata, kernel: kernel,
                                              otherManagers: OtherManagerDetector(paths: c.paths, sysfs: c.sysfs),
                                              identities: KernelLinkIdentityReader.forHost(sysfs: c.sysfs, paths: c.paths))
            result = try inspection.gather()
        } catch let .kernel(error) {
            throw .kernelUnreadable(error)
        } catch {
            throw .stateUnreadable(error)
        }
        edges.context.metadata.closeConnection()
        for name in invocation.arguments where !result.evidence.interfaces.contains(where: { $0.isCalled(name) }) {
            printError("ec2net status: no ENI called \(name) (nor a file generated for one)")
            return .notOurs
        }
        let report = StatusEvaluator.evaluate(result.evidence, only: invocation.arguments)
        let code: ExitCode
        switch report.verdict {
        case .ok: code = .ok
        case .drift: code = .drift
        case .unknown: code = result.imdsError.map { ExitCode.of($0) } ?? .tryLater
        }
        // NO_COLOR (no-color.org): set at all means no colour.
        let colour = isatty(1) == 1 && edges.environment("NO_COLOR") == nil && edges.environment("TERM") != "dumb"
        print(invocation.json ? StatusJSONRenderer.render(report, exitCode: code.rawValue)
                              : StatusTextRenderer(colour: colour).render(report), terminator: "")
        return code
    }
}
