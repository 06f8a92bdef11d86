import SCSIWire

/// Initiator side of WRITE SAME(16) (SBC-4 5.53) as the host engine sends it: one zero block
/// of Data-Out, with UNMAP set where a thin LU with LBPRZ should deallocate the range instead
/// of allocating it, without where the array is only to write the zeros itself (the result
/// reads as zeros either way). NDOB is not used: LIO and others do not implement it.
enum HostCopyWriteSame {
    /// 93h; byte 1 UNMAP (bit 3); LBA 2-9; NUMBER OF LOGICAL BLOCKS 10-13; group 14; control 15.
    static func cdb(lba: UInt64, blocks: UInt32, unmap: Bool = true) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = OperationCode.writeSame16.rawValue
        c[1] = unmap ? 0x08 : 0
        c.setBE64(lba, at: 2)
        c.setBE32(blocks, at: 10)
        return c
    }

    /// The commands covering `blocks` blocks from `lba`, each at most `maximumBlocks` long (the
    /// MAXIMUM WRITE SAME LENGTH; nil = not reported) and never 0 (which would mean "to the end").
    static func pieces(lba: UInt64, blocks: UInt64, maximumBlocks: UInt64?) -> [(lba: UInt64, blocks: UInt32)] {
        let limit = Swift.max(1, Swift.min(maximumBlocks ?? UInt64(UInt32.max), UInt64(UInt32.max)))
        var out: [(UInt64, UInt32)] = []
        var done: UInt64 = 0
        while done < blocks {
            let n = Swift.min(limit, blocks - done)
            out.append((lba + done, UInt32(n)))
            done += n
        }
        return out
    }
}
