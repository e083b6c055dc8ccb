/// Everything `ec2net status` gathered, before any judgement: devices,
/// naming map, IMDS answers, generated files, admin claims and the kernel
/// snapshot, joined by MAC. One value in, so StatusEvaluator stays pure.
public struct StatusEvidence: Sendable {
    /// What IMDS said about the instance as a whole.
    public enum IMDS: Equatable, Sendable {
        /// `--no-imds`: the kernel is compared with the generated files only.
        case skipped
        case read(primaryMAC: MACAddress)
        /// Could not tell (unreachable, 403, bad answer): the description.
        case failed(String)
    }

    /// What IMDS said about one ENI.
    public enum Metadata: Equatable, Sendable {
        case notRead
        case ready(InterfaceMetadata)
        /// Not propagated yet (hot-plug): what is missing.
        case pending(PendingMetadata)
        case failed(String)
    }

    public struct Interface: Equatable, Sendable {
        public var mac: MACAddress
        /// The kernel's name; nil when no device here has this MAC.
        public var name: String?
        public var mapEntry: DeviceMap.Entry?
        public var metadata: Metadata
        /// ec2net's files for this MAC under /run/systemd/network.
        public var generatedFiles: [GeneratedFile]
        /// An admin's .network file claiming the interface.
        public var adminClaim: String?
        /// Another network manager that also manages it (ifupdown, NetworkManager).
        public var otherManager: String?

        /// Whether `ec2net status NAME` means this ENI: its kernel name, or
        /// the name its generated file was written for.
        public func isCalled(_ n: String) -> Bool {
            name == n || generatedFiles.contains { Ownership.interfaceName(fromFileName: $0.name) == n }
        }

        public init(mac: MACAddress, name: String?, mapEntry: DeviceMap.Entry? = nil, metadata: Metadata = .notRead,
                    generatedFiles: [GeneratedFile] = [], adminClaim: String? = nil, otherManager: String? = nil) {
            self.mac = mac
            self.name = name
            self.mapEntry = mapEntry
            self.metadata = metadata
            self.generatedFiles = generatedFiles
            self.adminClaim = adminClaim
            self.otherManager = otherManager
        }
    }

    public var configuration: Configuration
    public var imds: IMDS
    public var interfaces: [Interface]
    public var kernel: KernelSnapshot

    public init(configuration: Configuration, imds: IMDS, interfaces: [Interface], kernel: KernelSnapshot) {
        self.configuration = configuration
        self.imds = imds
        self.interfaces = interfaces
        self.kernel = kernel
    }
}
