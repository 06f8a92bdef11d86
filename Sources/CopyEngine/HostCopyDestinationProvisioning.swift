import OffloadProbe
import SCSIWire

/// What the host engine may do about a chunk of zeros on the destination, read from its probe
/// report: whether unmapped blocks read as zeros (LBPRZ), whether the LU is thin (LBPME or a
/// thin provisioning type), and which deallocating command it accepts, with its limits.
public struct HostCopyDestinationProvisioning: Sendable, Equatable {
    /// How zeros are put in place without writing them.
    public enum Deallocation: String, Sendable, Equatable {
        /// WRITE SAME(16) with UNMAP and one zero block (LBPWS + LBPRZ). Preferred: even where
        /// the array does not deallocate, the blocks read as zeros afterwards.
        case writeSameUnmap
        /// UNMAP (LBPU + LBPRZ), within MAXIMUM UNMAP LBA COUNT. Second choice: SBC lets an
        /// array leave a partial unmap granule mapped, and only LBPRZ says what it then reads.
        case unmap
        /// Neither: zeros are written (unless the destination reads zeros already).
        case none
    }

    /// Unmapped blocks read as zeros: READ CAPACITY(16) LBPRZ, and the provisioning page's
    /// LBPRZ (bit 0 of the field) when that page was answered; both must agree, since skipping
    /// a write on a wrong "reads zeros" would leave old data in place.
    public var readsZeroWhenUnmapped: Bool
    /// Thin: LBPME, or PROVISIONING TYPE 2 on the provisioning page.
    public var thin: Bool
    /// WRITE SAME(16) with UNMAP zeroes by deallocating (LBPWS + LBPRZ).
    public var supportsWriteSameUnmap: Bool
    /// UNMAP zeroes by deallocating (LBPU + LBPRZ).
    public var supportsUnmap: Bool
    /// MAXIMUM WRITE SAME LENGTH in blocks; nil when not reported (0).
    public var maximumWriteSameBlocks: UInt64?
    /// MAXIMUM UNMAP LBA COUNT; nil when not reported (0) or unlimited (FFFFFFFFh).
    public var maximumUnmapBlocks: UInt64?
    /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT; nil when not reported or unlimited.
    public var maximumUnmapDescriptors: Int?

    /// The preferred way to deallocate: WRITE SAME with UNMAP, else UNMAP, else none.
    public var deallocation: Deallocation {
        supportsWriteSameUnmap ? .writeSameUnmap : supportsUnmap ? .unmap : .none
    }

    /// What to use once `refused` was refused as unsupported by the array.
    public func deallocation(after refused: Deallocation) -> Deallocation {
        switch refused {
        case .writeSameUnmap: return supportsUnmap ? .unmap : .none
        case .unmap, .none: return .none
        }
    }

    public init(readsZeroWhenUnmapped: Bool, thin: Bool, supportsWriteSameUnmap: Bool, supportsUnmap: Bool,
                maximumWriteSameBlocks: UInt64? = nil, maximumUnmapBlocks: UInt64? = nil, maximumUnmapDescriptors: Int? = nil) {
        self.readsZeroWhenUnmapped = readsZeroWhenUnmapped
        self.thin = thin
        self.supportsWriteSameUnmap = readsZeroWhenUnmapped && supportsWriteSameUnmap
        self.supportsUnmap = readsZeroWhenUnmapped && supportsUnmap
        self.maximumWriteSameBlocks = maximumWriteSameBlocks
        self.maximumUnmapBlocks = maximumUnmapBlocks
        self.maximumUnmapDescriptors = maximumUnmapDescriptors
    }

    public init(report: DeviceReport) {
        let page = report.provisioning.value
        let limits = report.blockLimits.value
        let pageSaysZero = page.map { $0.lbprz & 0x01 != 0 } ?? true
        readsZeroWhenUnmapped = report.capacity.lbprz && pageSaysZero
        thin = report.capacity.lbpme || page?.provisioningType == 2
        supportsWriteSameUnmap = readsZeroWhenUnmapped && page?.lbpws == true
        supportsUnmap = readsZeroWhenUnmapped && page?.lbpu == true
        func reported<T: BinaryInteger>(_ v: T?) -> UInt64? {
            guard let v, v != 0 else { return nil }
            return UInt64(v)
        }
        maximumWriteSameBlocks = reported(limits?.maximumWriteSameLength)
        maximumUnmapBlocks = reported(limits?.maximumUnmapLBACount).flatMap { $0 == 0xFFFF_FFFF ? nil : $0 }
        maximumUnmapDescriptors = reported(limits?.maximumUnmapBlockDescriptorCount)
            .flatMap { $0 == 0xFFFF_FFFF ? nil : Int(clamping: $0) }
    }
}
