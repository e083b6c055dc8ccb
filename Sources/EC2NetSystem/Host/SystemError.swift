import CLinux

/// errno as text, for error descriptions.
public enum SystemError {
    public static func message(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return String(cString: s)
    }
}
