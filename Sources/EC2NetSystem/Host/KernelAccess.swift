/// What a run reads or changes in its host's kernel; nil: that step is
/// skipped (no kernel to talk to, `--no-altnames`, or the channel could
/// not be opened; the reason is logged). Read where a step needs it, so a
/// step that is never reached costs nothing.
public protocol KernelAccess: AnyObject {
    var links: LinkControl? { get }
    var rules: RuleTable? { get }
    var routes: DefaultRouteSource? { get }
    var hostname: HostnameSetter? { get }
    /// What networkd knows of a link (for an admin's claim); never nil:
    /// without a kernel, what sysfs says.
    func linkIdentities(sysfs: Sysfs, paths: Paths) -> LinkIdentityReading
}

/// This host's kernel over one NETLINK_ROUTE channel, opened when a step
/// first needs it and at most once a run (link identities, altnames, rules
/// and routes share it): a plug that leaves its interface alone opens none.
/// A failed open is not retried; each step it disables says so once, and
/// every link-identity read fails with it (an admin's claim unseen is not
/// "no claim").
public final class HostKernel: KernelAccess {
    /// Opens the transport: a NetlinkSocket; a counting fake in tests.
    public typealias Opener = () throws(NetlinkError) -> NetlinkTransport

    private enum Channel {
        case unopened
        case open(NetlinkChannel)
        case failed(NetlinkError)
    }

    private let opener: Opener
    private let altNames: Bool
    private let log: Log
    private var channel = Channel.unopened
    private var reported: Set<String> = []

    /// - Parameter altNames: false adds none (`--no-altnames`).
    public init(altNames: Bool, log: Log, opener: @escaping Opener = { () throws(NetlinkError) in try NetlinkSocket() }) {
        self.altNames = altNames
        self.log = log
        self.opener = opener
    }

    public var links: LinkControl? {
        guard altNames else { return nil }
        return channel(for: "altnames").map { AltNames(channel: $0) }
    }

    public var rules: RuleTable? { channel(for: "stale rule cleanup").map { PolicyRuleTable(channel: $0) } }

    public var routes: DefaultRouteSource? { channel(for: "default route check").map { DefaultRoutes(channel: $0) } }

    public var hostname: HostnameSetter? { KernelHostname() }

    /// A channel that did not open is an error of every identity read, not
    /// "no kernel evidence" (KernelLinkIdentityReader.forHost says why).
    public func linkIdentities(sysfs: Sysfs, paths: Paths) -> LinkIdentityReading {
        KernelLinkIdentityReader(sysfs: sysfs, paths: paths) { () throws(FileError) -> NetlinkChannel? in
            if let c = self.opened() { return c }
            if case .failed(let error) = self.channel { throw .operation("socket", path: "rtnetlink", errno: error.errnoValue) }
            return nil
        }
    }

    private func channel(for purpose: String) -> NetlinkChannel? {
        let c = opened()
        if c == nil, case .failed(let error) = channel, reported.insert(purpose).inserted {
            log.warning("\(purpose) disabled: \(error)")
        }
        return c
    }

    private func opened() -> NetlinkChannel? {
        if case .unopened = channel {
            do { channel = .open(NetlinkChannel(transport: try opener())) } catch { channel = .failed(error) }
        }
        if case .open(let c) = channel { return c }
        return nil
    }
}

/// `--root DIR`: a tree that is not this host's, so not its kernel either:
/// no altnames, no rule cleanup, no default-route check, no hostname. The
/// checks a reader would miss log that they were skipped.
public final class NoKernel: KernelAccess {
    private let log: Log

    public init(log: Log) { self.log = log }

    public var links: LinkControl? { nil }
    public var rules: RuleTable? { nil }

    public var routes: DefaultRouteSource? {
        log.info("default route check: not with --root")
        return nil
    }

    public var hostname: HostnameSetter? {
        log.info("hostname: not set with --root")
        return nil
    }

    public func linkIdentities(sysfs: Sysfs, paths: Paths) -> LinkIdentityReading {
        KernelLinkIdentityReader(sysfs: sysfs, paths: paths, channel: nil)
    }
}
