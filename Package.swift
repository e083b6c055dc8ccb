// swift-tools-version:6.0
import PackageDescription

// One executable (`ec2net`) installed under four names: a static Swift runtime
// costs ~6 MB per executable, so four separate programs would not fit the
// 8 MB budget. No package dependencies: the core needs none, and each one
// adds build time and binary size.

// Release builds optimise for size; the linker drops unused sections and
// the symbol table (the Debian and RPM builds keep debug info apart).
let sizeOptimised: [SwiftSetting] = [.unsafeFlags(["-Osize"], .when(configuration: .release))]
let strippedLink: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "--strip-all"], .when(configuration: .release)),
]

let package = Package(
    name: "ec2net",
    products: [
        .executable(name: "ec2net", targets: ["ec2net"]),
    ],
    targets: [
        // The C library, one way for both build modes (the Glibc overlay does
        // not exist in Embedded Swift): headers plus shims for macros and
        // variadic functions.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .target(name: "EC2NetCore", dependencies: ["CLinux"], path: "Sources/EC2NetCore", swiftSettings: sizeOptimised),
        .target(
            name: "EC2NetSystem",
            dependencies: ["EC2NetCore", "CLinux"],
            path: "Sources/EC2NetSystem",
            swiftSettings: sizeOptimised
        ),
        .executableTarget(
            name: "ec2net",
            dependencies: ["EC2NetCore", "EC2NetSystem", "CLinux"],
            path: "Sources/ec2net",
            swiftSettings: sizeOptimised,
            linkerSettings: strippedLink
        ),
        // Test-only (not a product, not packaged): prints the product's
        // [Match] verdict for the differential test against networkd
        // (Tests/e2e/test_match_differential.py).
        .executableTarget(
            name: "match-oracle",
            dependencies: ["EC2NetCore", "EC2NetSystem", "CLinux"],
            path: "Tests/tools/match-oracle"
        ),
        .testTarget(
            name: "EC2NetCoreTests",
            dependencies: ["EC2NetCore"],
            path: "Tests/EC2NetCoreTests",
            exclude: ["Golden", "StatusGolden"]
        ),
        .testTarget(
            name: "ec2netTests",
            dependencies: ["ec2net", "EC2NetSystem", "EC2NetCore"],
            path: "Tests/ec2netTests"
        ),
        .testTarget(
            name: "EC2NetSystemTests",
            dependencies: ["EC2NetSystem", "EC2NetCore"],
            path: "Tests/EC2NetSystemTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
