import SCSIWire

/// Initiator side of UNMAP (SBC-4 5.32): the CDB, the parameter list, and the split of a range
/// into commands within the block limits page's MAXIMUM UNMAP LBA COUNT.
enum HostCopyUnmap {
    /// One block descriptor: LBA and NUMBER OF LOGICAL BLOCKS.
    struct Range: Equatable, Sendable {
        var lba: UInt64
        var blocks: UInt32
    }

    /// 42h; ANCHOR 0; GROUP NUMBER 0; PARAMETER LIST LENGTH 7-8; CONTROL 9.
    static func cdb(parameterListLength: UInt16) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 10)
        c[0] = OperationCode.unmap.rawValue
        c.setBE16(parameterListLength, at: 7)
        return c
    }

    /// UNMAP DATA LENGTH (n - 1, bytes 0-1), UNMAP BLOCK DESCRIPTOR DATA LENGTH (n - 7, bytes
    /// 2-3), four reserved bytes, then 16-byte descriptors (LBA 0-7, count 8-11, reserved 12-15).
    static func parameterList(_ ranges: [Range]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 16 * ranges.count)
        b.setBE16(UInt16(truncatingIfNeeded: 6 + 16 * ranges.count), at: 0)
        b.setBE16(UInt16(truncatingIfNeeded: 16 * ranges.count), at: 2)
        for (i, r) in ranges.enumerated() {
            b.setBE64(r.lba, at: 8 + 16 * i)
            b.setBE32(r.blocks, at: 16 + 16 * i)
        }
        return b
    }

    /// The UNMAP commands (each a descriptor list) that deallocate `blocks` blocks from `lba`:
    /// at most `maximumBlocks` blocks per command (nil = no limit) and at most
    /// `maximumDescriptors` descriptors (nil = no limit; a list always fits the 16-bit length).
    /// A contiguous range needs one descriptor per command unless a descriptor's 32-bit count
    /// overflows.
    static func commands(lba: UInt64, blocks: UInt64, maximumBlocks: UInt64?, maximumDescriptors: Int?) -> [[Range]] {
        let perCommand = Swift.max(1, maximumBlocks ?? UInt64.max)
        let descriptorsPerCommand = Swift.max(1, Swift.min(maximumDescriptors ?? Int.max, (Int(UInt16.max) - 8) / 16))
        var out: [[Range]] = []
        var done: UInt64 = 0
        while done < blocks {
            var command: [Range] = []
            var inCommand: UInt64 = 0
            while done < blocks, inCommand < perCommand, command.count < descriptorsPerCommand {
                let n = Swift.min(blocks - done, perCommand - inCommand, UInt64(UInt32.max))
                command.append(Range(lba: lba + done, blocks: UInt32(n)))
                done += n
                inCommand += n
            }
            out.append(command)
        }
        return out
    }
}
