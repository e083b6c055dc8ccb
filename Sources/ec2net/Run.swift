import CLinux
import EC2NetSystem

/// One executable, four names: dispatch on the name it was started as.
/// Parsing, wiring and exit codes only; what each command does is in
/// EC2NetSystem's pipelines.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

func printError(_ s: String) {
    let bytes = Array((s + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func runMain(arguments: [String]) -> ExitCode {
    let invocation: Invocation
    do throws(UsageError) {
        invocation = try Invocation(argv: arguments, environment: environmentValue)
    } catch {
        printError(error.description)
        return .usage
    }
    if invocation.version { print("ec2net \(Invocation.version)"); return .ok }
    if invocation.help { print(invocation.usage); return .ok }
    let edges: SystemEdges
    do {
        edges = try SystemEdges(invocation: invocation, environment: environmentValue)
    } catch {
        // To syslog as every decision, and to stderr (an error always is).
        Syslog(program: invocation.tool.programName, echoToStderr: false).log(.error, error.description)
        return ExitCode.of(error)
    }
    do {
        switch invocation.tool {
        case .plug: return try Plug.run(invocation, edges)
        case .unplug: return try Unplug.run(invocation, edges)
        case .ifname: return try IfName.run(invocation, edges)
        case .ifscan: return try IfScan.run(invocation, edges)
        case .status: return try Status.run(invocation, edges)
        }
    } catch {
        let code = ExitCode.of(error)
        let subject = invocation.arguments.first.map { "\($0): " } ?? ""
        // Unreachable or not yet propagated is expected at boot: the scan retries.
        edges.context.log.log(code == .tryLater ? .warning : .error,
                              "\(subject)\(error) (exit \(code.rawValue)); existing config left as it was")
        return code
    }
}
