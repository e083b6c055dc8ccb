/// Lists the ENIs present on the host. Class-bound: existentials of other
/// protocols do not exist in Embedded Swift.
public protocol DeviceEnumerator: AnyObject {
    func enumerate() -> [NetworkDevice]
}

