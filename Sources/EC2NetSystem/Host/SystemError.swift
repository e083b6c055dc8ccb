import CLinux

/// errno as text, for error descriptions.
public enum SystemError {
    public static func message(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return String(cString: s)
    }

    /// The errno's symbol, for messages an administrator searches for.
    public static func name(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "ENOENT"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case EISDIR: return "EISDIR"
        case ENOTDIR: return "ENOTDIR"
        case ELOOP: return "ELOOP"
        case EIO: return "EIO"
        case EINVAL: return "EINVAL"
        case ENAMETOOLONG: return "ENAMETOOLONG"
        default: return "errno \(code)"
        }
    }
}
