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

/// ceil(3), the one libm function the Embedded standard library calls (Set
/// and Dictionary size their hash tables with Double.rounded(.up)). Defined
/// here so the program does not load libm (about 0.4 MB of peak RSS for one
/// function). Same results as glibc's: integral values, NaN and infinities
/// unchanged, a negative fraction rounds to -0.0.
@_cdecl("ceil")
func embeddedCeil(_ x: Double) -> Double {
    guard x.magnitude < 0x1p52 else { return x }  // integral already, or NaN/inf
    let truncated = Double(Int64(x))
    let up = truncated < x ? truncated + 1 : truncated
    return up == 0 ? Double(signOf: x, magnitudeOf: 0) : up
}
#endif
