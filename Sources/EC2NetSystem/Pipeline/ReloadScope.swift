/// One run's part in the reload coordination (ReloadCoordinator), scoped so
/// that finishing it happens on every path, a thrown error included: a
/// process that another deferred its reload to and then fails must still
/// reload on its way out, or the other's config waits for the next timer
/// tick (up to a minute).
public final class ReloadScope {
    private let coordinator: ReloadCoordinator
    private let reloader: Reloader
    private let turn: ReloadCoordinator.Turn
    private let log: Log

    private init(paths: Paths, lockDeadline: WaitDeadline?, reloader: Reloader, turn: ReloadCoordinator.Turn,
                 log: Log) throws(PipelineError) {
        do { coordinator = try ReloadCoordinator(runDirectory: paths.runtime, lockDeadline: lockDeadline) } catch {
            throw .file(error)
        }
        self.reloader = reloader
        self.turn = turn
        self.log = log
    }

    /// Runs `body` inside the scope; finishes the coordination afterwards,
    /// whether `body` returned or threw. Changes `body` made before a throw
    /// are reloaded all the same (their marker was set before the first
    /// rename). A failed reload is this run's error when `body` succeeded,
    /// and a log line when `body`'s own error is thrown; the marker stays
    /// either way.
    public static func run<T>(paths: Paths, lockDeadline: WaitDeadline?, reloader: Reloader,
                              turn: ReloadCoordinator.Turn = .deferToOthers, log: Log,
                              _ body: (ReloadScope) throws(PipelineError) -> T) throws(PipelineError) -> T {
        let scope = try ReloadScope(paths: paths, lockDeadline: lockDeadline, reloader: reloader, turn: turn, log: log)
        let result: T
        do { result = try body(scope) } catch {
            if let failed = scope.finish() { log.error("\(PipelineError.reload(failed))") }
            throw error
        }
        if let failed = scope.finish() { throw .reload(failed) }
        return result
    }

    /// Files changed: networkd must re-read them before the last run ends.
    public func filesChanged() throws(PipelineError) {
        do { try coordinator.markPending() } catch { throw .file(error) }
    }

    /// The reload's error, if it failed.
    private func finish() -> ReloadError? {
        do {
            switch try coordinator.finish(reloader: reloader, turn: turn) {
            case .reloaded: log.info("reloaded systemd-networkd")
            case .reloadedByAnother: log.info("systemd-networkd reloaded by another ec2net process")
            case .deferred: log.info("networkd reload deferred to another ec2net process still working")
            case .nothingPending: break
            }
            return nil
        } catch {
            return error
        }
    }
}
