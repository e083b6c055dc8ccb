/// Where metadata comes from: the real IMDS client, or a dictionary in tests.
public protocol MetadataSource: AnyObject {
    /// The body at `path` under `/latest/meta-data/`, or nil for 404 ("no value").
    func get(_ path: String) throws(IMDSError) -> String?
    /// Drops any connection kept open for later requests.
    func close()
}

extension MetadataSource {
    public func close() {}
}
