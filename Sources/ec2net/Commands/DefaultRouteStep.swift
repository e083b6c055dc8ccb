import EC2NetCore
import EC2NetSystem

enum DefaultRouteStep {
    static func run(_ rt: Runtime, devices: [NetworkDevice]) {}
}
