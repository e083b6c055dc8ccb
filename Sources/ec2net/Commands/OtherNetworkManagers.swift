import Glibc
import EC2NetSystem

/// ec2net changes no other network manager's settings; it only says so when
/// one of them also manages an ENI, since both would fight over its
/// addresses. ifupdown marks interfaces it brought up in /run/network;
/// NetworkManager keeps per-device state in /run/NetworkManager/devices.
enum OtherNetworkManagers {
    static func warn(about devices: [NetworkDevice], _ rt: Runtime) {
        for d in devices {
            if access(rt.paths.root + "/run/network/ifstate.\(d.name)", F_OK) == 0 {
                rt.log.warning("\(d.name) (\(d.mac)): ifupdown (/etc/network/interfaces) also manages it; ec2net's networkd config may conflict")
            }
            if let index = rt.sysfs.interfaceIndex(of: d.name),
               access(rt.paths.root + "/run/NetworkManager/devices/\(index)", F_OK) == 0 {
                rt.log.warning("\(d.name) (\(d.mac)): NetworkManager also manages it; ec2net's networkd config may conflict")
            }
        }
    }
}
