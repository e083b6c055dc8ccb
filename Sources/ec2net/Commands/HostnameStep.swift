import EC2NetCore
import EC2NetSystem

/// Upstream's set-hostname-imds, without hostnamectl: only when the admin
/// set no static hostname.
enum HostnameStep {
    static func run(_ rt: Runtime) {
        let etc = ConfigurationLoader.readFile(rt.paths.hostnameFile)
        if case .keepStatic = Hostname.decide(etcHostname: etc, imdsValue: "x") {
            rt.log.info("hostname: \(rt.paths.hostnameFile) sets a static hostname; not changed")
            return
        }
        let value: String?
        do { value = try rt.reader.value("local-hostname") } catch {
            rt.log.warning("hostname: \(error); not changed")
            return
        }
        guard let value else { rt.log.warning("hostname: IMDS has no local-hostname; not changed"); return }
        switch Hostname.decide(etcHostname: etc, imdsValue: value) {
        case .keepStatic:
            break
        case .invalid(let v):
            rt.log.error("hostname: IMDS local-hostname \(Printable.quote(v)) is not a valid hostname; not changed")
        case .set(let name):
            guard rt.paths.isRealRoot else {
                rt.log.info("hostname: would set \(name) (not with --root)")
                return
            }
            do {
                try Hostname.apply(name)
                rt.log.info("hostname: set to \(name) from IMDS local-hostname")
            } catch {
                rt.log.error("hostname: \(error)")
            }
        }
    }
}
