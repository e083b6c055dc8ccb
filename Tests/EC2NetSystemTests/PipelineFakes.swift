import Foundation
import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// Collaborators of the pipelines, recorded instead of done.

final class RecordingLog: Log {
    private(set) var lines: [(LogLevel, String)] = []
    func log(_ level: LogLevel, _ message: String) { lines.append((level, message)) }
    func contains(_ text: String) -> Bool { lines.contains { $0.1.contains(text) } }
    var problems: [String] { lines.filter { $0.0 >= .warning }.map(\.1) }
}

final class FakeRuleTable: RuleTable {
    /// What the kernel holds.
    var held: [PolicyRule]
    private(set) var deleted: [PolicyRule] = []
    init(_ rules: [PolicyRule]) { held = rules }
    /// Rules whose deletion fails (EPERM), as a kernel may refuse.
    var refusing: [PolicyRule] = []
    func rules() throws(NetlinkError) -> [PolicyRule] { held }
    func delete(_ rule: PolicyRule) throws(NetlinkError) {
        if refusing.contains(rule) { throw .kernel(errno: EPERM, operation: "delete rule \(rule)") }
        deleted.append(rule)
        held.removeAll { $0 == rule }
    }
}

final class FakeDefaultRoutes: DefaultRouteSource {
    var routes: [IPFamily: PreferredDefaultRoute] = [:]
    func preferred(_ family: IPFamily) throws(NetlinkError) -> PreferredDefaultRoute? { routes[family] }
}

final class FakeHostname: HostnameSetter {
    private(set) var set: [String] = []
    func setHostname(_ name: String) throws(FileError) { set.append(name) }
}

final class FixedDevices: DeviceEnumerator {
    var devices: [NetworkDevice]
    init(devices: [NetworkDevice]) { self.devices = devices }
    func enumerate() -> [NetworkDevice] { devices }
}

/// A device list that cannot be taken (sysfs unreadable).
final class FailingDevices: DeviceEnumerator {
    func enumerate() throws(SysfsError) -> [NetworkDevice] {
        throw .unreadable(.operation("open", path: "/sys/class/net", errno: EACCES))
    }
}

/// A temporary root with a fake sysfs holding ENA devices.
struct FakeHost {
    let root: String
    let paths: Paths
    let sysfs: Sysfs

    init(_ test: XCTestCase) throws {
        root = try makeTemporaryDirectory(test)
        paths = Paths(root: root + "/root")
        sysfs = Sysfs(root: root + "/sys")
        try Directory.makePath(paths.networkdRuntime)
    }

    func addLink(_ name: String, mac: String) throws {
        try Directory.makePath(sysfs.root + "/class/net/\(name)/device")
        try writeText(sysfs.root + "/class/net/\(name)/address", mac + "\n")
    }

    func removeLink(_ name: String) throws {
        try FileManager.default.removeItem(atPath: sysfs.root + "/class/net/\(name)")
    }

    func device(_ name: String, _ mac: String) throws -> NetworkDevice {
        NetworkDevice(name: name, mac: try MACAddress(parsing: mac), driver: "ena")
    }

    var generated: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: paths.networkdRuntime)) ?? []).sorted()
    }
}
