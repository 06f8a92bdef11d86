import SCSIWire

/// How many blocks one host READ/WRITE moves, from both LUs' block limits (VPD B0h):
///
/// - never more than either MAXIMUM TRANSFER LENGTH (0 = not reported) and never more than
///   8 MiB whatever they say: LIO on 4Kn backstores reports its limit in 512-byte units, so its
///   MAXIMUM TRANSFER LENGTH reads eight times too large, and the 8 MiB cap keeps such an answer
///   from producing commands the target then rejects or splits;
/// - the smaller sane OPTIMAL TRANSFER LENGTH when one is reported (sane: at least 64 KiB and
///   within the cap; a few blocks, or more than the maximum, is a granularity or a wrong unit);
/// - otherwise 1 MiB (or the cap, if smaller).
///
/// A caller's explicit size is honoured within the same cap.
public enum HostCopyChunkSizer {
    public static let maximumChunkBytes = 8 << 20
    public static let defaultChunkBytes = 1 << 20
    public static let minimumSaneOptimalBytes = 64 << 10

    public static func chunkBlocks(source: BlockLimitsPage?, destination: BlockLimitsPage?, blockSize: Int,
                                   requested: Int? = nil) -> Int {
        let bs = Swift.max(1, blockSize)
        var cap = Swift.max(1, maximumChunkBytes / bs)
        for mtl in [source?.maximumTransferLength, destination?.maximumTransferLength].compactMap({ $0 }) where mtl > 0 {
            cap = Swift.min(cap, Int(clamping: mtl))
        }
        if let requested { return Swift.min(Swift.max(1, requested), cap) }
        let optimal = [source?.optimalTransferLength, destination?.optimalTransferLength]
            .compactMap { $0 }
            .map { Int(clamping: $0) }
            .filter { $0 > 0 && $0 <= cap && $0 * bs >= minimumSaneOptimalBytes }
        if let best = optimal.min() { return best }
        return Swift.max(1, Swift.min(cap, defaultChunkBytes / bs))
    }
}
