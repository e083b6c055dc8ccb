import EC2NetCore
import EC2NetSystem

enum IfName {
    static func run(_ rt: Runtime) throws -> ExitCode { .ok }
}
