import EC2NetSystem

/// ec2net changes no other network manager's settings; it only says so when
/// one of them also manages an ENI (see OtherManagerDetector).
enum OtherNetworkManagers {
    static func warn(about devices: [NetworkDevice], _ rt: Runtime) {
        let detector = OtherManagerDetector(paths: rt.paths, sysfs: rt.sysfs)
        for d in devices {
            if let other = detector.manager(of: d.name) {
                rt.log.warning("\(d.name) (\(d.mac)): \(other) also manages it; ec2net's networkd config may conflict")
            }
        }
    }
}
