import EC2NetCore

/// What one run (one command) is wired to, built once by the command line
/// and handed to the pipelines, which take from it what they use. The
/// collaborators are small protocols, so tests substitute fakes.
public final class RunContext {
    public let configuration: Configuration
    public let paths: Paths
    public let sysfs: Sysfs
    public let log: Log
    public let clock: MonotonicClock
    /// The run's IMDS reader: one token and connection for the whole run.
    public let metadata: MetadataReader
    public let reloader: Reloader
    /// The run's kernel, reached on first use (HostKernel, NoKernel).
    public let kernel: KernelAccess
    /// One deadline for a udev-started run (issue 21); nil: none.
    public let deadline: RunDeadline?
    /// That deadline on the run's clock, for every lock the run takes
    /// (FileLock.lock(_:until:)); nil: locks block.
    public let lockDeadline: WaitDeadline?

    public init(configuration: Configuration, paths: Paths, sysfs: Sysfs, log: Log, clock: MonotonicClock,
                metadata: MetadataReader, reloader: Reloader, kernel: KernelAccess, deadline: RunDeadline? = nil) {
        self.configuration = configuration
        self.paths = paths
        self.sysfs = sysfs
        self.log = log
        self.clock = clock
        self.metadata = metadata
        self.reloader = reloader
        self.kernel = kernel
        self.deadline = deadline
        lockDeadline = deadline.map { WaitDeadline(deadline: $0, clock: clock) }
    }
}
