import CLinux
import EC2NetCore

/// Gathers what `ec2net status` judges, reading only: the ENIs the host
/// has, the naming map, IMDS (unless skipped), ec2net's generated files,
/// administrators' claims, other network managers and the kernel over
/// rtnetlink. It writes nothing, takes no lock and starts nothing, so it
/// never blocks or disturbs ec2-plug and ec2-ifscan.
///
/// Only absence (ENOENT) is empty: sysfs, ec2net's generated files or the
/// naming map that exist but cannot be read stop the inspection with the
/// error (exit 74), rather than showing a list that looks complete and is not.
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
    public func gather() throws(StatusInspectionError) -> Result {
        let present: [NetworkDevice]
        do { present = try devices.enumerate() } catch { throw .sysfs(error) }
        let files: [(mac: MACAddress, file: GeneratedFile)]
        let map: DeviceMap
        do throws(FileError) {
            files = try generatedFiles()
            map = try DeviceMapStore(paths: paths).load()
        } catch { throw .files(error) }
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
        let snapshot: KernelSnapshot
        do { snapshot = try kernel.snapshot() } catch { throw .kernel(error) }
        let evidence = StatusEvidence(configuration: configuration, imds: imds, interfaces: interfaces, kernel: snapshot)
        return Result(evidence: evidence, imdsError: firstError)
    }

    /// ec2net's files with their contents, by the MAC that owns each; none
    /// when the directory does not exist (ENOENT), and a file removed since
    /// its header was read is skipped. Any other error throws.
    private func generatedFiles() throws(FileError) -> [(mac: MACAddress, file: GeneratedFile)] {
        let tree: GeneratedTree
        do { tree = try GeneratedTree(path: paths.networkdRuntime, create: false) } catch {
            if case .operation(_, _, let e) = error, e == ENOENT { return [] }
            throw error
        }
        var out: [(mac: MACAddress, file: GeneratedFile)] = []
        for f in try tree.owned() {
            if let contents = try tree.directory.read(f.name) { out.append((mac: f.mac, file: GeneratedFile(name: f.name, contents: contents))) }
        }
        return out
    }
}

/// Why `ec2net status` has no verdict: what it judges could not be read.
public enum StatusInspectionError: Error, CustomStringConvertible {
    /// rtnetlink (EX_OSERR, 71).
    case kernel(NetlinkError)
    /// sysfs exists but cannot be read (EX_IOERR, 74).
    case sysfs(SysfsError)
    /// ec2net's generated files or its naming map exist but cannot be read (EX_IOERR, 74).
    case files(FileError)

    public var description: String {
        switch self {
        case .kernel(let e): return "cannot read the kernel's state: \(e)"
        case .sysfs(let e): return "\(e); the list of interfaces is unknown, no verdict"
        case .files(let e): return "cannot read ec2net's state: \(e); no verdict"
        }
    }
}
