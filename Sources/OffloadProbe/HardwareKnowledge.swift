import Foundation

/// What is known of one family of arrays or targets (Hardware/arrays/*.json). The prober uses
/// it to name what it talks to and to apply quirks no page reveals: which designators a copy
/// manager accepts, how far its copies reach, limits it enforces below what it advertises.
public struct ArrayFamily: Codable, Sendable, Equatable {
    public struct Match: Codable, Sendable, Equatable {
        public var vendor: String
        public var productPrefix: String?
    }
    public struct Support: Codable, Sendable, Equatable {
        public var support: String
        public var notes: String
    }
    public struct Limits: Codable, Sendable, Equatable {
        public var maxCSCDDescriptors: Int?
        public var maxSegmentDescriptors: Int?
        public var enforcedMaxSegmentDescriptors: Int?
        public var maxDescriptorListLength: Int?
        public var maxSegmentLengthBytes: Int?
        public var dataSegmentGranularityLog2: Int?
        public var maxBlocksPerSegment: Int?
        public var maxConcurrentCopies: Int?
        public var odxMaxRangeDescriptors: Int?
        public var odxMaxTokenTransferBytes: Int?
        public var odxDefaultInactivitySeconds: Int?
        public var odxMaxInactivitySeconds: Int?
    }
    public struct MinimumAllocation: Codable, Sendable, Equatable {
        public var vpd8F: Int?
        public var rcop: Int?
    }
    public struct Quirk: Codable, Sendable, Equatable {
        public var id: String
        public var text: String
    }

    public var family: String
    public var name: String
    public var kind: String
    public var match: [Match]
    public var xcopy: Support
    public var odx: Support
    public var vpd8F: String
    public var limits: Limits
    public var cscdDesignators: [String]
    public var copyScope: String
    public var blockSizesMustMatch: Bool?
    public var tokenSemantics: String?
    public var minAllocationLength: MinimumAllocation
    public var quirks: [Quirk]
    public var sources: [String]
    public var captures: [String]
}

/// The loaded knowledge base.
public struct HardwareKnowledge: Sendable {
    public var families: [ArrayFamily]
    /// Where it was read from, or why nothing was: reports say so instead of guessing.
    public var origin: String

    public init(families: [ArrayFamily], origin: String) {
        self.families = families
        self.origin = origin
    }

    public static let empty = HardwareKnowledge(families: [], origin: "no knowledge base loaded")

    /// The family for an INQUIRY identity. An entry with a product prefix beats a vendor-only
    /// one (LIO-ORG "TCMU device" is tcmu-runner, other LIO-ORG products are kernel LIO).
    public func family(vendor: String, product: String) -> ArrayFamily? {
        var best: (ArrayFamily, Int)?
        for f in families {
            for m in f.match where m.vendor == vendor {
                if let prefix = m.productPrefix {
                    if product.hasPrefix(prefix), (best?.1 ?? -1) < prefix.count { best = (f, prefix.count) }
                } else if best == nil {
                    best = (f, 0)
                }
            }
        }
        return best?.0
    }

    /// Reads every *.json in a directory; a malformed file is an error naming the file.
    public static func load(directory: URL) throws -> HardwareKnowledge {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        let decoder = JSONDecoder()
        var families: [ArrayFamily] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            do {
                families.append(try decoder.decode(ArrayFamily.self, from: Data(contentsOf: url)))
            } catch {
                throw KnowledgeError.malformed(file: url.path, reason: "\(error)")
            }
        }
        return HardwareKnowledge(families: families, origin: directory.path)
    }

    /// Finds Hardware/arrays: $OFFLOAD_HARDWARE_DIR, then upwards from the executable (a build
    /// tree inside the repository), then the install location.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments.first ?? "") -> URL? {
        let fm = FileManager.default
        if let dir = environment["OFFLOAD_HARDWARE_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = url.appendingPathComponent("Hardware/arrays")
            if fm.fileExists(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        let installed = URL(fileURLWithPath: "/usr/share/scsi-copy-offload/Hardware/arrays")
        return fm.fileExists(atPath: installed.path) ? installed : nil
    }

    /// The knowledge base if it can be found; `.empty` (saying so) if not.
    public static func loadDefault() throws -> HardwareKnowledge {
        guard let dir = locate() else {
            return HardwareKnowledge(families: [], origin: "Hardware/arrays not found (set OFFLOAD_HARDWARE_DIR)")
        }
        return try load(directory: dir)
    }
}

public enum KnowledgeError: Error, CustomStringConvertible {
    case malformed(file: String, reason: String)
    public var description: String {
        switch self {
        case let .malformed(file, reason): return "\(file): not a valid family file: \(reason)"
        }
    }
}
