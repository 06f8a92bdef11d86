import SCSIWire

/// The method the engines would use to copy one LU onto another, and why.
public struct PairVerdict: Sendable {
    public enum Method: String, Sendable { case xcopy, odx, host }
    public var method: Method
    /// Every consideration, in order; the ones that ruled a method out say so.
    public var reasons: [String]
    public var plan: CopyPlan
}

/// Parameters an engine would start from. Offload limits are upper bounds: arrays advertise
/// more than they accept, so engines back off on TOO MANY SEGMENT DESCRIPTORS.
public struct CopyPlan: Sendable, Equatable {
    public var blockSize: Int
    /// Blocks per segment descriptor (XCOPY) or per range (ODX), or per chunk (host).
    public var blocksPerSegment: Int
    public var segmentsPerCommand: Int
    public var concurrency: Int
    /// Granularity every segment length is a multiple of, in blocks.
    public var granularityBlocks: Int
}

public enum PairPlanner {
    /// B2B (0x02) NUMBER OF BLOCKS is 16 bits.
    public static let maximumBlocksPerB2BSegment = 65535
    /// Used when nothing is reported: small enough for any target, large enough to matter.
    public static let defaultHostChunkBytes = 1 << 20

    public static func decide(source s: DeviceReport, destination d: DeviceReport) -> PairVerdict {
        var reasons: [String] = []
        let sameNexus = s.address.nexus == d.address.nexus && s.address.kind == d.address.kind
        let sameLU = s.copyDesignator != nil && s.copyDesignator == d.copyDesignator
        let bs = Int(s.capacity.blockLength), dbs = Int(d.capacity.blockLength)
        if sameLU { reasons.append("source and destination are the same logical unit (same \(s.copyDesignator!.type) designator): a copy would overwrite its own source") }
        if s.capacity.byteCount > d.capacity.byteCount {
            reasons.append("destination (\(d.capacity.byteCount) bytes) is smaller than source (\(s.capacity.byteCount) bytes)")
        }
        let blockSizesMatch = bs == dbs
        if !blockSizesMatch {
            let bridged = bs > 0 && dbs > 0 && max(bs, dbs) % min(bs, dbs) == 0
            reasons.append("block sizes differ: source \(bs), destination \(dbs)"
                + (bridged ? " (the host path copies between them; offload here does not)" : ", and neither is a multiple of the other: no method here copies between them"))
        }
        reasons.append(sameNexus
            ? "both LUNs are reached through one session (\(s.address.nexus)), so one copy manager can see both"
            : "the LUNs are on different I_T nexuses (\(s.address.nexus) vs \(d.address.nexus)): no session reaches both")

        let scope = s.family?.copyScope ?? "unknown"
        var reachable = sameNexus || (scope == "array" && sameArrayFamily(s, d))
        if !sameNexus && reachable { reasons.append("\(s.family!.name) copies across targets of one array; assuming both LUNs are on it") }
        if scope == "device" && !sameLU {
            // tcmu-runner after CVE-2021-3139: only copies within the receiving device.
            reachable = false
            reasons.append("\(s.family!.name) copies only within one device, and these are two")
        }

        // ODX first where both ends support it: tokens carry no per-command segment limits.
        let sodx = s.odxVerdict, dodx = d.odxVerdict
        if sodx.supported && dodx.supported && reachable && blockSizesMatch && !sameLU {
            reasons.append("ODX: source and destination advertise token copy")
            return PairVerdict(method: .odx, reasons: reasons, plan: odxPlan(s))
        }
        reasons.append("ODX not used: " + (!sodx.supported ? "source: \(sodx.reason)" : !dodx.supported ? "destination: \(dodx.reason)"
            : !reachable ? "LUNs not on one copy manager" : !blockSizesMatch ? "block sizes differ" : "same logical unit"))

        let sx = s.xcopyVerdict, dx = d.xcopyVerdict
        if !blockSizesMatch, s.family?.blockSizesMustMatch == false {
            // CTL converts between block sizes inside EXTENDED COPY; the offload engines here
            // address both ends in one block size, so such a pair goes through the host.
            reasons.append("\(s.family!.name) could bridge the block sizes with XCOPY, but the offload engines here copy only between equal block sizes")
        }
        if sx.supported && dx.supported && reachable && blockSizesMatch && !sameLU {
            reasons.append("XCOPY: \(sx.reason)")
            if let dd = d.copyDesignator { reasons.append("destination CSCD designator \(dd.type) \(dd.valueText)") }
            return PairVerdict(method: .xcopy, reasons: reasons, plan: xcopyPlan(s, d))
        }
        reasons.append("XCOPY not used: " + (!sx.supported ? "source: \(sx.reason)" : !dx.supported ? "destination: \(dx.reason)"
            : !reachable ? "LUNs not on one copy manager" : !blockSizesMatch ? "block sizes differ" : "same logical unit"))
        return PairVerdict(method: .host, reasons: reasons, plan: hostPlan(s, d))
    }

    /// The plan for a given method, whatever the verdict chose (a user may force a method).
    public static func plan(for method: PairVerdict.Method, source s: DeviceReport, destination d: DeviceReport) -> CopyPlan {
        switch method {
        case .xcopy: return xcopyPlan(s, d)
        case .odx: return odxPlan(s)
        case .host: return hostPlan(s, d)
        }
    }

    static func sameArrayFamily(_ s: DeviceReport, _ d: DeviceReport) -> Bool {
        guard let a = s.family, let b = d.family else { return false }
        return a.family == b.family
    }

    static func xcopyPlan(_ s: DeviceReport, _ d: DeviceReport) -> CopyPlan {
        let bs = Int(s.capacity.blockLength)
        let l = s.xcopyLimits
        let k = s.family?.limits
        var blocks = maximumBlocksPerB2BSegment
        if let maxLen = l.maxSegmentLength { blocks = min(blocks, max(1, maxLen / bs)) }
        if let kb = k?.maxBlocksPerSegment { blocks = min(blocks, kb) }
        var granularity = max(1, (1 << (l.dataSegmentGranularityLog2 ?? 0)) / bs)
        // Where a target bridges block sizes (CTL), a segment must still cover whole
        // destination blocks, or it fails with UNEXPECTED INEXACT SEGMENT (26/0A).
        let dbs = Int(d.capacity.blockLength)
        if dbs > bs, dbs % bs == 0 { granularity = max(granularity, dbs / bs) }
        blocks = max(granularity, blocks / granularity * granularity)
        // Two CSCDs (32 bytes each) plus segments (28 bytes each) must fit the list length.
        var segments = l.maxSegmentDescriptors ?? 1
        if let enforced = k?.enforcedMaxSegmentDescriptors { segments = min(segments, enforced) }
        if let listLength = l.maxDescriptorListLength { segments = min(segments, max(1, (listLength - 64) / 28)) }
        let concurrency = max(1, min(l.maxConcurrentCopies ?? 1, l.totalConcurrentCopies ?? 1, k?.maxConcurrentCopies ?? Int.max))
        return CopyPlan(blockSize: bs, blocksPerSegment: blocks, segmentsPerCommand: max(1, segments),
                        concurrency: concurrency, granularityBlocks: granularity)
    }

    static func odxPlan(_ s: DeviceReport) -> CopyPlan {
        let bs = Int(s.capacity.blockLength)
        let limits = s.thirdPartyCopy.value?.blockDeviceRODLimits
        let ranges = Int(limits?.maximumRangeDescriptors ?? 1)
        var perToken = Int(clamping: limits?.maximumTokenTransferSize ?? 0)
        if perToken == 0 { perToken = Int(clamping: limits?.optimalTransferCount ?? 0) }
        if perToken == 0 { perToken = (256 << 20) / bs }
        let perRange = max(1, min(Int(UInt32.max), perToken / max(1, ranges)))
        return CopyPlan(blockSize: bs, blocksPerSegment: perRange, segmentsPerCommand: max(1, ranges), concurrency: 1, granularityBlocks: 1)
    }

    static func hostPlan(_ s: DeviceReport, _ d: DeviceReport) -> CopyPlan {
        let bs = max(Int(s.capacity.blockLength), Int(d.capacity.blockLength))
        var chunk = defaultHostChunkBytes / bs
        // Respect the smaller MAXIMUM TRANSFER LENGTH; 0 means no limit reported.
        for (r, rbs) in [(s, Int(s.capacity.blockLength)), (d, Int(d.capacity.blockLength))] {
            if let mtl = r.blockLimits.value?.maximumTransferLength, mtl > 0 { chunk = min(chunk, max(1, Int(mtl) * rbs / bs)) }
        }
        return CopyPlan(blockSize: bs, blocksPerSegment: max(1, chunk), segmentsPerCommand: 1, concurrency: 8, granularityBlocks: 1)
    }
}
