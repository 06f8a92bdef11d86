import Foundation
import ISCSITransport
import SCSITransport
import SCSIWire
import Testing

/// Reads and writes whole LUNs over iSCSI for the copy tests: fill a source with known data,
/// read both ends back, compare. Independent of the engines under test.
enum LUNData {
    static func withDevice<T>(_ url: ISCSIURL, _ body: (ISCSIDevice, Int, UInt64) async throws -> T) async throws -> T {
        let session = try await ISCSISession.connect(url)
        let device = session.device(lun: url.lun)
        _ = try? await device.execute(SCSICommand(cdb: CDB.testUnitReady()))
        let cap = try await device.execute(SCSICommand(cdb: CDB.readCapacity16(), data: .fromDevice(allocationLength: 32)))
        let rc = try ReadCapacity16Data(parsing: cap.data)
        do {
            let result = try await body(device, Int(rc.blockLength), rc.blockCount)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// Writes a pattern over the first `fraction` of the LUN (the rest is left as it is).
    static func fill(_ url: ISCSIURL, seed: UInt64, fraction: Double = 1.0) async throws {
        try await withDevice(url) { d, bs, blocks in
            let chunk = max(1, (1 << 20) / bs)
            var rng = SeededRandom(seed)
            var lba: UInt64 = 0
            let end = UInt64(Double(blocks) * fraction)
            while lba < end {
                let n = Int(min(UInt64(chunk), end - lba))
                var data = [UInt8](repeating: 0, count: n * bs)
                for i in stride(from: 0, to: data.count, by: 8) {
                    var v = rng.next()
                    withUnsafeBytes(of: &v) { data.replaceSubrange(i..<min(i + 8, data.count), with: $0.prefix(min(8, data.count - i))) }
                }
                let r = try await d.execute(SCSICommand(cdb: CDB.write16(lba: lba, blocks: UInt32(n)), data: .toDevice(data)))
                guard r.status == .good else { throw RealTarget.Missing(description: "fill: WRITE(16) failed: \(r.status) \(r.sense.map(String.init(describing:)) ?? "")") }
                lba += UInt64(n)
            }
        }
    }

    /// A digest of the first `blocks` blocks (all when nil), read in 1 MiB pieces.
    static func digest(_ url: ISCSIURL, blocks limit: UInt64? = nil) async throws -> [UInt64] {
        try await withDevice(url) { d, bs, blocks in
            let chunk = max(1, (1 << 20) / bs)
            var sums: [UInt64] = []
            var lba: UInt64 = 0
            let end = min(limit ?? blocks, blocks)
            while lba < end {
                let n = Int(min(UInt64(chunk), end - lba))
                let r = try await d.execute(SCSICommand(cdb: CDB.read16(lba: lba, blocks: UInt32(n)), data: .fromDevice(allocationLength: n * bs)))
                guard r.status == .good else { throw RealTarget.Missing(description: "digest: READ(16) failed: \(r.status)") }
                var h: UInt64 = 0xcbf29ce484222325
                for b in r.data { h = (h ^ UInt64(b)) &* 0x100000001b3 }
                sums.append(h)
                lba += UInt64(n)
            }
            return sums
        }
    }
}

struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &+ 0x9E3779B97F4A7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// Runs offload-copy with --json and returns (status, parsed report or nil, stderr).
func runCopyJSON(_ arguments: [String]) throws -> (Int32, [String: Any]?, String) {
    let (status, out, err) = try runCopy(["--json", "--quiet"] + arguments)
    let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
    return (status, json, err)
}

/// offload-copy running in the background with --json --quiet and both outputs piped.
struct RunningCopy {
    let process: Process
    let stdout: Pipe
    let stderr: Pipe

    /// Starts offload-copy from `source` to `destination` and returns once the first MiB of
    /// the destination matches the source's: the copy is then surely under way.
    static func started(_ arguments: [String], from source: ISCSIURL, to destination: ISCSIURL) async throws -> RunningCopy {
        let firstMiB = try await LUNData.digest(source, blocks: 2048)
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: try toolPath("offload-copy"))
        copy.arguments = ["--json", "--quiet"] + arguments + [source.description, destination.description]
        let running = RunningCopy(process: copy, stdout: Pipe(), stderr: Pipe())
        copy.standardOutput = running.stdout
        copy.standardError = running.stderr
        try copy.run()
        let started = ContinuousClock.now
        while try await LUNData.digest(destination, blocks: 2048) != firstMiB {
            try #require(copy.isRunning, "offload-copy ended before its first chunk landed: \(String(decoding: running.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
            try #require(ContinuousClock.now - started < .seconds(60), "no chunk landed within 60 s")
            try await Task.sleep(for: .milliseconds(50))
        }
        return running
    }
}
