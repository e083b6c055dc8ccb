/// The judgement `ec2net status` prints: per ENI what it should have, what
/// the kernel has and why not; per instance where default traffic leaves
/// and which rules in ec2net's range nobody asked for. Rendered by
/// StatusTextRenderer (people) and StatusJSONRenderer (automation).
public struct StatusReport: Equatable, Sendable {
    public enum Verdict: String, Sendable {
        /// Every managed ENI matches.
        case ok
        /// Something differs.
        case drift
        /// IMDS could not be read: what the files should be is not known.
        case unknown
    }

    /// Whether IMDS was read for this report (JSON `imds.state`: the raw value).
    public enum IMDSState: String, Sendable {
        case read
        /// `--no-imds`.
        case skipped
        case failed
    }

    /// Why an ENI is not managed, or why it cannot be judged (JSON
    /// `reason_code`: the raw value).
    public enum ReasonCode: Equatable, Sendable {
        /// ManagementDecision left it alone.
        case notManaged(ManagementDecision.Reason)
        /// IMDS does not list all of it yet (hot-plug).
        case notPropagated
        case imdsError
        /// Without IMDS and without a generated file: cannot tell whether it needs one.
        case noFile

        /// The stable code automation matches on.
        public var rawValue: String {
            switch self {
            case .notManaged(let reason): return reason.code
            case .notPropagated: return "not-propagated"
            case .imdsError: return "imds-error"
            case .noFile: return "no-file"
            }
        }

        /// The ENI's IMDS answer is the problem, not ec2net's choice.
        public var isIMDSProblem: Bool {
            switch self {
            case .notPropagated, .imdsError: return true
            case .notManaged, .noFile: return false
            }
        }
    }

    /// The generated file compared with what the renderer would write now.
    public enum FileState: String, Sendable {
        case upToDate = "up-to-date"
        case outdated
        case missing
        /// Present although ec2net does not manage the interface (stale).
        case unexpected
        /// IMDS not read: the file on disk is taken as the expectation.
        case notChecked = "not-checked"
        /// Not managed and no file: as it should be.
        case none
    }

    public struct Check: Equatable, Sendable {
        public let item: ExpectedKernelState.Item
        public let present: Bool
    }

    public struct Interface: Equatable, Sendable {
        public var name: String?
        public var mac: MACAddress
        public var altNames: [String] = []
        public var interfaceID: String?
        public var index: DeviceIndex?
        public var isPrimary: Bool?
        public var managed = false
        /// Why not managed, or why it cannot be judged; a stable code and a sentence.
        public var reasonCode: ReasonCode?
        public var reason: String?
        public var otherManager: String?
        public var fileName: String?
        public var fileState = FileState.none
        public var table: Int?
        public var metric: Int?
        public var checks: [Check] = []
        /// Rules before ec2net's that catch its sources and send them elsewhere.
        public var shadowingRules: [Shadow] = []
        /// Each one makes the verdict drift (or unknown), most important first.
        public var problems: [String] = []
        public var unknown = false

        public init(name: String?, mac: MACAddress) {
            self.name = name
            self.mac = mac
        }

        public var hasProblems: Bool { !problems.isEmpty }
    }

    public struct Egress: Equatable, Sendable {
        public let family: IPFamily
        public let interface: String?
        public let mac: MACAddress?
        public let metric: Int
        /// nil when it is not known which ENI is the primary.
        public let isPrimary: Bool?
    }

    /// A kernel rule that takes the traffic one of ec2net's rules is for.
    public struct Shadow: Equatable, Sendable {
        public let rule: PolicyRule
        public let shadowed: PolicyRule
    }

    public struct ForeignRule: Equatable, Sendable {
        public let rule: PolicyRule
        /// ec2net's shape exactly (`from X lookup T priority T`, nothing else) but no file wants it.
        public let stale: Bool
    }

    public var verdict: Verdict
    public var imdsState: IMDSState
    public var imdsDetail: String
    public var primaryMAC: MACAddress?
    public var interfaces: [Interface]
    public var egress: [Egress]
    public var foreignRules: [ForeignRule]
    /// Problems of the instance as a whole (egress, stale rules, IMDS).
    public var problems: [String]

    /// Every problem, the ENIs' first, for a summary line.
    public var problemCount: Int { problems.count + interfaces.reduce(0) { $0 + $1.problems.count } }
}
