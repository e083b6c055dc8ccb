import Glibc
import EC2NetCore
import EC2NetSystem

/// One executable, four names: dispatch on the name it was started as.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

func printError(_ s: String) {
    let bytes = Array((s + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func runMain() -> ExitCode {
    let invocation: Invocation
    do {
        invocation = try Invocation(argv: CommandLine.arguments, environment: environmentValue)
    } catch {
        printError(error.description)
        return .usage
    }
    if invocation.version { print("ec2net \(Invocation.version)"); return .ok }
    if invocation.help { print(invocation.usage); return .ok }
    let rt: Runtime
    do {
        rt = try Runtime(invocation: invocation, environment: environmentValue)
    } catch {
        printError("\(invocation.tool.programName): \(error)")
        return .configuration
    }
    do {
        switch invocation.tool {
        case .plug: return try Plug.run(rt)
        case .unplug: return try Unplug.run(rt)
        case .ifname: return try IfName.run(rt)
        case .ifscan: return try IfScan.run(rt)
        case .status: return try Status.run(rt)
        }
    } catch {
        let code = ExitCode.forError(error)
        let subject = invocation.arguments.first.map { "\($0): " } ?? ""
        // Unreachable or not yet propagated is expected at boot coldplug: the scan retries.
        rt.log.log(code == .tryLater ? .warning : .error,
                   "\(subject)\(error) (exit \(code.rawValue)); existing config left as it was")
        return code
    }
}

exit(runMain().rawValue)
