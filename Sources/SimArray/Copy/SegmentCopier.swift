import SCSIWire

/// Moves bytes from one LU's store to another's in bounded chunks: never more than one chunk of
/// the segment in memory, whole destination blocks written (partial first and last blocks are
/// read, patched and written back, or zero-padded at the end when the CSCD's PAD bit asks),
/// and nothing ever written to the source. Overlapping ranges of one store are copied from the
/// end backwards, so the result is what a copy through a separate buffer would give.
struct SegmentCopier {
    /// Upper bound of one chunk in bytes (rounded down to whole destination blocks, at least one).
    var chunkBytes: Int

    enum Failure: Error, Equatable {
        case read(BlockStoreError)
        case write(BlockStoreError)
        case aborted
    }

    /// Copies `count` bytes from byte `sourceByte` of `source` to byte `destinationByte` of
    /// `destination`. `beforeWrite(lba, blocks)` runs before each destination write (token
    /// bookkeeping); `afterChunk(bytes)` after it, and may throw `.aborted` to stop between chunks.
    func copy(from source: any BlockStore, sourceByte: UInt64, to destination: any BlockStore, destinationByte: UInt64,
              count: UInt64, padTail: Bool,
              beforeWrite: (UInt64, UInt64) -> Void,
              afterChunk: (UInt64) throws(Failure) -> Void) throws(Failure) {
        guard count > 0 else { return }
        let sbs = UInt64(source.blockSize)
        let dbs = UInt64(destination.blockSize)
        let chunk = Swift.max(dbs, UInt64(Swift.max(1, chunkBytes)) / dbs * dbs)
        let end = destinationByte + count

        // Same store, destination after an overlapping source: walk from the end.
        let backwards = source === destination && destinationByte > sourceByte && sourceByte + count > destinationByte
        var chunks: [(UInt64, UInt64)] = []
        if backwards {
            var hi = end
            while hi > destinationByte {
                let lo = Swift.max(destinationByte, (hi - 1) / chunk * chunk)
                chunks.append((lo, hi))
                hi = lo
            }
        }
        var lo = destinationByte
        var index = 0
        while backwards ? index < chunks.count : lo < end {
            let d0: UInt64, d1: UInt64
            if backwards {
                (d0, d1) = chunks[index]
                index += 1
            } else {
                d0 = lo
                d1 = Swift.min(end, (lo / chunk + 1) * chunk)
                lo = d1
            }
            let n = d1 - d0
            let s0 = sourceByte + (d0 - destinationByte)

            // Source: the whole blocks under [s0, s0 + n).
            let firstSource = s0 / sbs
            let sourceBlocks = (s0 + n + sbs - 1) / sbs - firstSource
            let sourceData: [UInt8]
            do {
                sourceData = try source.read(lba: firstSource, count: Int(sourceBlocks))
            } catch let e as BlockStoreError {
                throw .read(e)
            } catch {
                throw .read(.invalidArgument("\(error)"))
            }
            let skip = Int(s0 - firstSource * sbs)

            // Destination: whole blocks under [d0, d1); keep bytes outside the range.
            let firstBlock = d0 / dbs
            let lastBlock = (d1 + dbs - 1) / dbs
            let head = Int(d0 - firstBlock * dbs)
            let tailPartial = d1 % dbs != 0
            var buffer = [UInt8](repeating: 0, count: Int((lastBlock - firstBlock) * dbs))
            do {
                if head > 0 {
                    let first = try destination.read(lba: firstBlock, count: 1)
                    buffer.replaceSubrange(0..<Int(dbs), with: first)
                }
                if tailPartial && !padTail && !(head > 0 && lastBlock - firstBlock == 1) {
                    let last = try destination.read(lba: lastBlock - 1, count: 1)
                    buffer.replaceSubrange((buffer.count - Int(dbs))..<buffer.count, with: last)
                }
            } catch let e as BlockStoreError {
                throw .write(e)
            } catch {
                throw .write(.invalidArgument("\(error)"))
            }
            buffer.replaceSubrange(head..<(head + Int(n)), with: sourceData[skip..<(skip + Int(n))])
            if tailPartial && padTail {
                for i in (head + Int(n))..<buffer.count { buffer[i] = 0 }
            }

            beforeWrite(firstBlock, lastBlock - firstBlock)
            do {
                try destination.write(lba: firstBlock, data: buffer)
            } catch let e as BlockStoreError {
                throw .write(e)
            } catch {
                throw .write(.invalidArgument("\(error)"))
            }
            try afterChunk(n)
        }
    }
}
