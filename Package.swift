// swift-tools-version:6.0
// Layers, bottom up: SCSIWire (pure bytes) -> transports (SCSITransport, ISCSITransport over the
// CISCSI shim) -> OffloadProbe (capabilities, pair verdicts, Hardware/ knowledge) -> executables.
import PackageDescription

let package = Package(
    name: "scsi-copy-offload",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SCSIWire", targets: ["SCSIWire"]),
        .library(name: "SCSITransport", targets: ["SCSITransport"]),
        .library(name: "OffloadProbe", targets: ["OffloadProbe"]),
        .executable(name: "offload-probe", targets: ["offload-probe"]),
        .executable(name: "offload-sim", targets: ["offload-sim"]),
        .executable(name: "offload-copy", targets: ["offload-copy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Byte-exact SCSI formats, both directions; no I/O, no C. Shared with offload-sim.
        .target(name: "SCSIWire"),
        // libiscsi, found through pkg-config; nothing but the headers lives here.
        .systemLibrary(
            name: "CISCSI",
            pkgConfig: "libiscsi",
            providers: [.apt(["libiscsi-dev"])]
        ),
        // libsgutils2's SCSI pass-through (sg_pt.h); nothing but the headers lives here.
        .systemLibrary(name: "CSGUtils", providers: [.apt(["libsgutils2-dev"])]),
        // The one async device interface, URL/credential parsing and the in-memory twin.
        .target(name: "SCSITransport", dependencies: ["SCSIWire"]),
        // The libiscsi implementation of the device interface.
        .target(name: "ISCSITransport", dependencies: ["SCSITransport", "CISCSI"]),
        // The SG_IO implementation of the device interface (block devices, /dev/sg*, dm maps).
        .target(name: "SGIOTransport", dependencies: ["SCSITransport", "CSGUtils"]),
        // Capability probing, pair verdicts, offline decoding, Hardware/ knowledge.
        .target(name: "OffloadProbe", dependencies: ["SCSIWire", "SCSITransport"]),
        // iSCSI PDUs, text keys, login negotiation, CRC32C, CHAP: pure, for offload-sim.
        .target(name: "ISCSIWire"),
        // The simulated array's core: LUs, stores, SCSI dispatcher, copy and token managers,
        // profiles, faults. Reuses the wire formats; never the engines.
        .target(name: "SimArray", dependencies: ["SCSIWire"]),
        // The copy engines (XCOPY, ODX, host), verification and the per-pair copy job.
        .target(name: "CopyEngine", dependencies: ["SCSITransport", "OffloadProbe"]),
        // glibc's malloc tuning (malloc.h: mallopt), which the Glibc module leaves out.
        .systemLibrary(name: "CMalloc"),
        // offload-sim's network face: iSCSI sessions over SwiftNIO in front of SimArray.
        .target(name: "SimTarget", dependencies: [
            "SimArray", "ISCSIWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(
            name: "offload-sim",
            dependencies: [
                "SimTarget", "SimArray", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "offload-copy",
            dependencies: [
                "CopyEngine", "OffloadProbe", "ISCSITransport", "SGIOTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "offload-probe",
            dependencies: [
                "OffloadProbe", "ISCSITransport", "SGIOTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SCSIWireTests", dependencies: ["SCSIWire"]),
        .testTarget(name: "SCSITransportTests", dependencies: ["SCSITransport", "ISCSITransport"]),
        .testTarget(name: "SGIOTransportTests", dependencies: ["SGIOTransport", "SCSITransport"]),
        .testTarget(name: "OffloadProbeTests", dependencies: ["OffloadProbe", "SCSITransport"]),
        .testTarget(name: "ISCSIWireTests", dependencies: ["ISCSIWire"]),
        .testTarget(name: "SimArrayTests", dependencies: ["SimArray"]),
        .testTarget(name: "CopyEngineTests", dependencies: ["CopyEngine", "SCSITransport", "OffloadProbe", "SimArray"]),
        .testTarget(name: "SimTargetTests", dependencies: [
            "SimTarget", "SimArray", "ISCSIWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Against real targets started by scripts/test (tgt, LIO); fails loudly when one is missing.
        .testTarget(name: "TargetIntegrationTests", dependencies: ["OffloadProbe", "ISCSITransport", "CMalloc"]),
    ],
    swiftLanguageModes: [.v6]
)
