/// Lists the ENIs present on the host. Class-bound: existentials of other
/// protocols do not exist in Embedded Swift.
public protocol DeviceEnumerator: AnyObject {
    /// Throws unless every interface could be judged (only ENOENT is absent).
    func enumerate() throws(SysfsError) -> [NetworkDevice]
}

