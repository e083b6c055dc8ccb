/// `ec2net status --json`: the report as a stable document for automation.
/// The schema is documented in ec2net-status(8); `schema` grows only when a
/// field changes meaning or disappears (new fields may be added within a
/// version).
public enum StatusJSONRenderer {
    public static let schemaVersion = 1

    public static func render(_ r: StatusReport, exitCode: Int32) -> String {
        JSONValue.object([
            ("schema", .int(schemaVersion)),
            ("verdict", .string(r.verdict.rawValue)),
            ("exit_code", .int(Int(exitCode))),
            ("imds", .object([("state", .string(r.imdsState.rawValue)), ("detail", .string(r.imdsDetail)),
                              ("primary_mac", .optional(r.primaryMAC?.description))])),
            ("problems", .array(r.problems.map { .string($0) })),
            ("interfaces", .array(r.interfaces.map(interface))),
            ("egress", .array(r.egress.map { e in
                .object([("family", .string(e.family.rawValue)), ("interface", .optional(e.interface)),
                         ("mac", .optional(e.mac?.description)), ("metric", .int(e.metric)), ("primary", .optional(e.isPrimary))])
            })),
            ("foreign_rules", .array(r.foreignRules.map { f in
                .object([("family", .string(f.rule.family.rawValue)), ("priority", .int(f.rule.priority)),
                         ("table", .int(f.rule.table)), ("source", .optional(f.rule.source?.description)),
                         ("rule", .string(f.rule.description)), ("stale", .bool(f.stale))])
            })),
        ]).render()
    }

    static func interface(_ i: StatusReport.Interface) -> JSONValue {
        .object([
            ("name", .optional(i.name)),
            ("mac", .string(i.mac.description)),
            ("altnames", .array(i.altNames.map { .string($0) })),
            ("interface_id", .optional(i.interfaceID)),
            ("device_number", .optional(i.index?.device)),
            ("network_card", .optional(i.index?.card)),
            ("primary", .optional(i.isPrimary)),
            ("managed", .bool(i.managed)),
            ("reason_code", .optional(i.reasonCode?.rawValue)),
            ("reason", .optional(i.reason)),
            ("other_manager", .optional(i.otherManager)),
            ("file", .object([("name", .optional(i.fileName)), ("state", .string(i.fileState.rawValue))])),
            ("table", .optional(i.table)),
            ("rule_priority", .optional(i.table)),
            ("metric", .optional(i.metric)),
            ("checks", .array(i.checks.map { c in
                .object([("kind", .string(c.item.kind)), ("family", .string(c.item.family.rawValue)),
                         ("expected", .string(c.item.description)), ("present", .bool(c.present))])
            })),
            ("shadowing_rules", .array(i.shadowingRules.map { s in
                .object([("priority", .int(s.rule.priority)), ("rule", .string(s.rule.description)),
                         ("shadows", .string(s.shadowed.description))])
            })),
            ("problems", .array(i.problems.map { .string($0) })),
        ])
    }
}
