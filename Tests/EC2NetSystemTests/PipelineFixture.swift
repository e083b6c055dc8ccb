import Glibc
import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// What every pipeline suite runs against, built once here: a temporary
/// root and fake sysfs (FakeHost) with the two ENIs of MetadataReaderTests'
/// single-card IMDS (eth0, and the secondary under `secondaryName`), that
/// IMDS, a fake clock, a recording log, a counting reloader and a fake
/// kernel. A suite changes what it needs, then runs its pipeline on
/// `context()`.
class PipelineTestCase: XCTestCase {
    static let primary = MetadataReaderTests.primary
    static let secondary = MetadataReaderTests.secondary
    /// The kernel's name for the secondary ENI.
    class var secondaryName: String { "eth1" }

    var host: FakeHost!
    var source: DictionarySource!
    var clock: FakeClock!
    var log: RecordingLog!
    var reloader: CountingReloader!
    var rules: FakeRuleTable!
    var routes: FakeDefaultRoutes!
    var hostname: FakeHostname!
    var configuration = Configuration()
    /// The ENIs the scan's device list holds.
    var devices: [NetworkDevice] = []
    /// nil: the fakes above (FakeKernel).
    var kernel: KernelAccess? = nil

    override func setUpWithError() throws {
        host = try FakeHost(self)
        source = DictionarySource(MetadataReaderTests.singleCard())
        clock = FakeClock()
        log = RecordingLog()
        reloader = CountingReloader()
        rules = FakeRuleTable([])
        routes = FakeDefaultRoutes()
        hostname = FakeHostname()
        try host.addLink("eth0", mac: Self.primary)
        try host.addLink(Self.secondaryName, mac: Self.secondary)
        devices = [try host.device("eth0", Self.primary), try host.device(Self.secondaryName, Self.secondary)]
    }

    /// Hot-plug: IMDS shows the secondary's device-number 0 until its
    /// attachment propagates (the race of amazon-ec2-net-utils'
    /// setup-policy-routes wait).
    func secondaryNotPropagated() {
        source = DictionarySource(MetadataReaderTests.singleCard(secondaryDevice: "0"))
    }

    /// The attachment propagates: IMDS shows the secondary's device-number 1.
    func propagateSecondary() {
        source.values["network/interfaces/macs/\(Self.secondary)/device-number"] = "1"
    }

    /// Not propagated until the pipeline's `poll`th wait.
    func secondaryPropagates(atPoll poll: Int) {
        secondaryNotPropagated()
        var polls = 0
        clock.onSleep = { [unowned self] _ in
            polls += 1
            if polls == poll { propagateSecondary() }
        }
    }

    /// One run's wiring over the fakes as they are now.
    func context(_ configuration: Configuration? = nil) -> RunContext {
        RunContext(configuration: configuration ?? self.configuration, paths: host.paths, sysfs: host.sysfs, log: log,
                   clock: clock, metadata: MetadataReader(source: source, clock: clock), reloader: reloader,
                   kernel: kernel ?? FakeKernel(rules: rules, routes: routes, hostname: hostname))
    }
}

/// The kernel as fakes: no altnames (LinkControl needs real interfaces).
final class FakeKernel: KernelAccess {
    let rules: RuleTable?
    let routes: DefaultRouteSource?
    let hostname: HostnameSetter?
    var links: LinkControl? { nil }
    func linkIdentities(sysfs: Sysfs, paths: Paths) -> LinkIdentityReading {
        KernelLinkIdentityReader(sysfs: sysfs, paths: paths, channel: nil)
    }

    init(rules: RuleTable?, routes: DefaultRouteSource?, hostname: HostnameSetter?) {
        self.rules = rules
        self.routes = routes
        self.hostname = hostname
    }
}

/// A netlink transport that acknowledges every request (a dump ends empty)
/// but RTM_GETLINK, which it answers ENODEV (FakeHost's links are files,
/// the kernel has none of them), and counts how often one was opened:
/// HostKernel's opener in tests.
final class AcknowledgingTransport: NetlinkTransport {
    /// How many transports were opened.
    final class Opened {
        private(set) var count = 0
        /// The opener to hand HostKernel; `failing` refuses like a kernel without rtnetlink.
        func opener(failing: NetlinkError? = nil) -> HostKernel.Opener {
            { () throws(NetlinkError) -> NetlinkTransport in
                self.count += 1
                if let failing { throw failing }
                return AcknowledgingTransport()
            }
        }
    }

    private var replies: [[UInt8]] = []

    func send(_ bytes: [UInt8]) throws(NetlinkError) {
        let type = HostOrder.read(UInt16.self, bytes, at: 4)
        replies.append(NetlinkMessageTests.errorReply(code: type == RTNetlink.MessageType.getLink ? -ENODEV : 0,
                                                      sequence: NetlinkMessageTests.sequence(of: bytes)))
    }

    func receive() throws(NetlinkError) -> [UInt8] {
        guard !replies.isEmpty else { throw .socket(errno: EAGAIN) }
        return replies.removeFirst()
    }
}
