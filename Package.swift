// swift-tools-version:6.0
// arraytool: reads Huawei OceanStor performance exports and brings them into VictoriaMetrics.
// The package depends on nothing outside the toolchain: zlib and OpenSSL are system libraries.
import PackageDescription

let package = Package(
  name: "arraytool",
  products: [
    .executable(name: "arraytool", targets: ["arraytool"]),
    .library(name: "ArrayToolKit", targets: ["ArrayToolKit"]),
  ],
  targets: [
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "openssl",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(
      name: "ArrayToolKit",
      dependencies: ["CZlib", "COpenSSL"],
      resources: [.copy("Resources/metrics.tsv"), .copy("Resources/resources.tsv")]
    ),
    .executableTarget(name: "arraytool", dependencies: ["ArrayToolKit"]),
    .testTarget(name: "ArrayToolKitTests", dependencies: ["ArrayToolKit"]),
  ],
  swiftLanguageModes: [.v5]
)
