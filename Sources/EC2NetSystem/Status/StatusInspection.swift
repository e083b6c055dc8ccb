import EC2NetCore

/// Gathers what `ec2net status` judges, reading only: the ENIs the host
/// has, the naming map, IMDS (unless skipped), ec2net's generated files,
/// administrators' claims, other network managers and the kernel over
/// rtnetlink. It writes nothing, takes no lock and starts nothing, so it
/// never blocks or disturbs ec2-plug and ec2-ifscan.
public final class StatusInspection {
    public struct Result {
        public let evidence: StatusEvidence
        /// The first IMDS error, for the exit code when the verdict is unknown.
        public let imdsError: MetadataReadError?
    }

    private let configuration: Configuration
    private let paths: Paths
    private let devices: DeviceEnumerator
    private let metadata: MetadataReader?
    private let kernel: KernelStateReader
    private let otherManagers: OtherManagerDetector?
    private let identities: LinkIdentityReading?

    /// - Parameter metadata: nil for `--no-imds`.
    public init(configuration: Configuration, paths: Paths, devices: DeviceEnumerator, metadata: MetadataReader?,
                kernel: KernelStateReader, otherManagers: OtherManagerDetector?, identities: LinkIdentityReading? = nil) {
        self.identities = identities
        self.configuration = configuration
        self.paths = paths
        self.devices = devices
        self.metadata = metadata
        self.kernel = kernel
        self.otherManagers = otherManagers
    }

    /// Every ENI, also with `ec2net status IFACE`: which rules are wanted
    /// depends on all of them (StatusEvaluator filters the report).
    public func gather() throws(NetlinkError) -> Result {
        // Read-only: an unreadable sysfs shows its ENIs as not present,
        // which status reports as a problem; nothing is removed here.
        let present = (try? devices.enumerate()) ?? []
        let files = generatedFiles()
        let map = DeviceMapStore(paths: paths).load()
        var imds = StatusEvidence.IMDS.skipped
        var firstError: MetadataReadError? = nil
        var listed: [MACAddress] = []
        if let metadata {
            do {
                imds = .read(primaryMAC: try metadata.primaryMAC())
                listed = try metadata.attachedMACs()
            } catch {
                imds = .failed(error.description)
                firstError = error
            }
        }

        var macs: [MACAddress] = present.map { $0.mac }
        for mac in listed + files.map({ $0.mac }) where !macs.contains(mac) { macs.append(mac) }
        let admin = AdminNetworkFiles(paths: paths)
        var interfaces: [StatusEvidence.Interface] = []
        for mac in macs {
            let name = present.first { $0.mac == mac }?.name
            let own = files.filter { $0.mac == mac }
            var i = StatusEvidence.Interface(mac: mac, name: name, mapEntry: map[mac],
                                             generatedFiles: own.map { $0.file })
            if let name {
                // Unreadable admin configuration is reported as the claim it
                // may be: ec2-plug would refuse to act on it too.
                do { i.adminClaim = try admin.claimant(try identities?.identity(of: name) ?? LinkIdentity(name: name, mac: mac)) }
                catch { i.adminClaim = "unreadable: \(error)" }
                i.otherManager = otherManagers?.manager(of: name)
            }
            if let metadata, case .read = imds {
                do {
                    switch try metadata.attempt(mac: mac) {
                    case .ready(let m): i.metadata = .ready(m)
                    case .pending(let what): i.metadata = .pending(what)
                    }
                } catch {
                    i.metadata = .failed(error.description)
                    firstError = firstError ?? error
                }
            }
            interfaces.append(i)
        }
        let evidence = StatusEvidence(configuration: configuration, imds: imds, interfaces: interfaces, kernel: try kernel.snapshot())
        return Result(evidence: evidence, imdsError: firstError)
    }

    /// ec2net's files with their contents, by the MAC that owns each; none
    /// when the directory does not exist.
    private func generatedFiles() -> [(mac: MACAddress, file: GeneratedFile)] {
        guard let tree = try? GeneratedTree(path: paths.networkdRuntime, create: false),
              let owned = try? tree.owned() else { return [] }
        return owned.compactMap { f in
            (try? tree.directory.read(f.name)).flatMap { $0 }.map { (mac: f.mac, file: GeneratedFile(name: f.name, contents: $0)) }
        }
    }
}
