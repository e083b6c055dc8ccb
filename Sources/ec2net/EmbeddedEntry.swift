#if hasFeature(Embedded)
import CLinux

/// The entry point of the Embedded build (`make release`), which compiles
/// this file instead of main.swift: Embedded Swift has no CommandLine, so
/// the C `main` hands argv over. Same dispatch, same exit codes.
@_cdecl("main")
func embeddedMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    let arguments = (0..<Int(argc)).map { String(cString: argv[$0]!) }
    exit(runMain(arguments: arguments).rawValue)
}

/// Double(String) calls this runtime function, which the Embedded standard
/// library leaves to the platform; the full runtime implements it with
/// strtod_l in the C locale. ec2net never calls setlocale, so the process
/// locale is "C" and strtod(3) parses the same way.
@_cdecl("_swift_stdlib_strtod_clocale")
func swiftStdlibStrtodCLocale(_ text: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<Double>?) -> UnsafePointer<CChar>? {
    guard let text, let result else { return nil }
    var end: UnsafeMutablePointer<CChar>? = nil
    result.pointee = strtod(text, &end)
    return UnsafePointer(end)
}
#endif
