import Foundation

/// Why a profile could not be had. Each case prints as one line naming the file.
public enum ArrayProfileError: Error, Equatable, CustomStringConvertible {
    /// No `<name>.json` in the profiles directory (or no directory at all).
    case notFound(name: String, directory: String?, available: [String])
    case unreadable(path: String, reason: String)
    /// Not JSON, a missing or unknown key, a wrong type, or parts that contradict each other.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(name, directory, available):
            guard let directory else {
                return "profile '\(name)': Hardware/profiles not found (set OFFLOAD_HARDWARE_DIR to Hardware/arrays, or give a file path)"
            }
            return "profile '\(name)': no \(name).json in \(directory)"
                + (available.isEmpty ? "" : " (available: \(available.joined(separator: ", ")))")
        case let .unreadable(path, reason):
            return "\(path): cannot read profile: \(reason)"
        case let .malformed(path, reason):
            return "\(path): not a valid array profile: \(reason)"
        }
    }
}

extension ArrayProfile {
    /// Finds `Hardware/profiles` the way the prober finds `Hardware/arrays`: next to
    /// `$OFFLOAD_HARDWARE_DIR` (which names `Hardware/arrays`), then upwards from the executable
    /// (a build tree inside the repository), then the current directory upwards, then the
    /// install location.
    public static func locateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                       executable: String = CommandLine.arguments.first ?? "",
                                       currentDirectory: String = FileManager.default.currentDirectoryPath) -> URL? {
        let fm = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var dir: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &dir) && dir.boolValue
        }
        if let hardware = environment["OFFLOAD_HARDWARE_DIR"], !hardware.isEmpty {
            let arrays = URL(fileURLWithPath: hardware)
            let sibling = arrays.deletingLastPathComponent().appendingPathComponent("profiles")
            if isDirectory(sibling) { return sibling }
            let inside = arrays.appendingPathComponent("profiles")
            if isDirectory(inside) { return inside }
        }
        func walk(from start: URL) -> URL? {
            var url = start
            for _ in 0..<8 {
                let candidate = url.appendingPathComponent("Hardware/profiles")
                if isDirectory(candidate) { return candidate }
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
            return nil
        }
        if !executable.isEmpty,
           let found = walk(from: URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()) {
            return found
        }
        if let found = walk(from: URL(fileURLWithPath: currentDirectory)) { return found }
        let installed = URL(fileURLWithPath: "/usr/share/scsi-copy-offload/Hardware/profiles")
        return isDirectory(installed) ? installed : nil
    }

    /// The profile names (file names without `.json`) in a directory, sorted.
    public static func availableNames(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// `<directory>/<name>.json`; the directory defaults to `locateDirectory()`. The file's own
    /// `name` must match.
    public static func load(named name: String, in directory: URL? = nil) throws -> ArrayProfile {
        guard let dir = directory ?? locateDirectory() else {
            throw ArrayProfileError.notFound(name: name, directory: nil, available: [])
        }
        let url = dir.appendingPathComponent("\(name).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ArrayProfileError.notFound(name: name, directory: dir.path, available: availableNames(in: dir))
        }
        let profile = try load(contentsOf: url)
        guard profile.name == name else {
            throw ArrayProfileError.malformed(path: url.path, reason: "its name is '\(profile.name)', expected '\(name)'")
        }
        return profile
    }

    /// A profile file anywhere.
    public static func load(contentsOf url: URL) throws -> ArrayProfile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ArrayProfileError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// What `--profile` takes: a path (contains "/" or ends in ".json") or a name.
    public static func load(_ nameOrPath: String) throws -> ArrayProfile {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            return try load(contentsOf: URL(fileURLWithPath: nameOrPath))
        }
        return try load(named: nameOrPath)
    }

    /// Decodes and validates; any problem is one `.malformed` naming `source`.
    public static func decode(_ data: Data, source: String = "profile") throws -> ArrayProfile {
        let profile: ArrayProfile
        do {
            profile = try JSONDecoder().decode(ArrayProfile.self, from: data)
        } catch let error as DecodingError {
            throw ArrayProfileError.malformed(path: source, reason: error.profileDescription)
        } catch {
            throw ArrayProfileError.malformed(path: source, reason: "\(error)")
        }
        if let first = profile.problems().first {
            throw ArrayProfileError.malformed(path: source, reason: first)
        }
        return profile
    }

    /// Pretty JSON with sorted keys, as the shipped files are written.
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
