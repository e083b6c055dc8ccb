/// Lists the ENIs present on the host.
public protocol DeviceEnumerator {
    func enumerate() -> [NetworkDevice]
}

extension UdevDevices: DeviceEnumerator {}
