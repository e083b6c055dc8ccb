import EC2NetCore

/// Upstream's set-hostname-imds, without hostnamectl: the hostname from IMDS
/// `local-hostname`, only when the admin set no static one.
public struct HostnameUpdate {
    private let paths: Paths
    private let metadata: MetadataReader
    private let setter: HostnameSetter
    private let log: Log

    public init(paths: Paths, metadata: MetadataReader, setter: HostnameSetter, log: Log) {
        self.paths = paths
        self.metadata = metadata
        self.setter = setter
        self.log = log
    }

    public func run() {
        // The admin's /etc/hostname is configuration: read through a symlink
        // (NixOS-style /etc links it); only ENOENT means none. Unreadable is
        // not "none": the admin's hostname may be in it, so nothing is set.
        let etc: String?
        do { etc = try Directory.readConfiguration(paths.hostnameFile) } catch {
            if case .operation(_, _, let e) = error {
                log.error("hostname: cannot read \(paths.hostnameFile): \(error) (\(SystemError.name(e))); not changed")
            } else {
                log.error("hostname: cannot read \(paths.hostnameFile): \(error); not changed")
            }
            return
        }
        if case .keepStatic = Hostname.decide(etcHostname: etc, imdsValue: "x") {
            log.info("hostname: \(paths.hostnameFile) sets a static hostname; not changed")
            return
        }
        let value: String?
        do { value = try metadata.value("local-hostname") } catch {
            log.warning("hostname: \(error); not changed")
            return
        }
        guard let value else { log.warning("hostname: IMDS has no local-hostname; not changed"); return }
        switch Hostname.decide(etcHostname: etc, imdsValue: value) {
        case .keepStatic:
            break
        case .invalid(let v):
            log.error("hostname: IMDS local-hostname \(Printable.quote(v)) is not a valid hostname; not changed")
        case .set(let name):
            do {
                try setter.setHostname(name)
                log.info("hostname: set to \(name) from IMDS local-hostname")
            } catch {
                log.error("hostname: \(error)")
            }
        }
    }
}
