// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer targets for ec2net's parsers of outside input. A package of its
// own so the root package keeps exactly one product (the `ec2net`
// executable): Sources/EC2NetCore, EC2NetSystem and CLinux here are symlinks
// to the root package's directories, compiled again with the fuzzer's
// coverage instrumentation. Build and run with `make fuzz` (fuzz/fuzz.mk):
//   swift build -c release --package-path fuzz --scratch-path .build-fuzz --manifest-cache none \
//       --sanitize=fuzzer -Xswiftc -parse-as-library
// Each executable gets libFuzzer's main(); its module only defines
// LLVMFuzzerTestOneInput.
//
// The targets are the directories Sources/fuzz-*: adding one is adding its
// directory (and its seeds under corpus/), nothing else; fuzz.mk and run.py
// find them the same way. The listing is why the build passes
// --manifest-cache none: a cached evaluation would not see a new directory.
let sourcesDirectory = Context.packageDirectory + "/Sources"
let fuzzTargets = try! FileManager.default.contentsOfDirectory(atPath: sourcesDirectory)
    .filter { $0.hasPrefix("fuzz-") }
    .sorted()

let package = Package(
    name: "ec2net-fuzz",
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    targets: [
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .target(name: "EC2NetCore", dependencies: ["CLinux"], path: "Sources/EC2NetCore"),
        .target(name: "EC2NetSystem", dependencies: ["EC2NetCore", "CLinux"], path: "Sources/EC2NetSystem"),
        .target(name: "FuzzSupport", dependencies: ["EC2NetCore"], path: "Sources/FuzzSupport"),
    ] + fuzzTargets.map {
        .executableTarget(name: $0, dependencies: ["EC2NetCore", "EC2NetSystem", "FuzzSupport"], path: "Sources/\($0)")
    },
    swiftLanguageModes: [.v6]
)
