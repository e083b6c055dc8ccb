import EC2NetCore

/// Removes the kernel rules ec2net can show are its own and wanted by no
/// one: what networkd would have removed had it been allowed to manage
/// foreign rules (it is not, so that other tools' rules survive its
/// reloads). A rule goes only when
/// - the ledger lists it: one of ec2net's generated files asked for it in this boot,
/// - no configuration networkd loads asks for it now (ec2net's files, an
///   admin's copy of one, any drop-in),
/// - the kernel holds exactly that rule (every selector, the action).
/// Every other rule, whatever its priority, is someone else's. A rule
/// deleted or already gone leaves the ledger; one whose deletion failed stays.
public struct StaleRuleCleaner {
    private let ledger: RuleLedger
    private let configuration: NetworkdRuleRequests
    private let rules: RuleTable
    private let lockDeadline: WaitDeadline?
    private let log: Log

    public init(paths: Paths, rules: RuleTable, lockDeadline: WaitDeadline?, log: Log) {
        ledger = RuleLedger(paths: paths)
        configuration = NetworkdRuleRequests(paths: paths)
        self.rules = rules
        self.lockDeadline = lockDeadline
        self.log = log
    }

    /// Logs each rule removed; a failure is a warning, never fatal (the
    /// config itself is in place; the next run tries again). Any doubt
    /// (unreadable ledger or configuration, no rule dump): nothing is deleted.
    public func clean() {
        do {
            try ledger.holding(until: lockDeadline) { () throws(FileError) in try cleanLocked() }
        } catch {
            log.warning("stale rule cleanup: \(error); no rule removed")
        }
    }

    private func cleanLocked() throws(FileError) {
        let recorded: [RuleLedger.Entry]
        do { recorded = try ledger.entries() } catch {
            log.warning("stale rule cleanup: \(error); no rule removed")
            return
        }
        guard !recorded.isEmpty else { return }
        let wanted = try configuration.requests()
        let kernel: [PolicyRule]
        do { kernel = try rules.rules() } catch {
            log.warning("stale rule cleanup: \(error); no rule removed")
            return
        }
        var kept: [RuleLedger.Entry] = []
        for entry in recorded {
            if wanted.contains(where: { $0.asks(for: entry.rule) }) { kept.append(entry); continue }
            guard kernel.contains(entry.rule) else { continue }
            do {
                try rules.delete(entry.rule)
                log.info("removed stale rule \(entry.rule)")
            } catch {
                log.warning("stale rule \(entry.rule): \(error)")
                kept.append(entry)
            }
        }
        if kept != recorded { try ledger.replace(with: kept) }
    }
}
