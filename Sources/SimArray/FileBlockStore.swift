#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A store in a sparse file: LBA n lives at byte n × blockSize. Unmapping punches a hole
/// (`fallocate(PUNCH_HOLE | KEEP_SIZE)`), falling back to writing zeros where the file system
/// cannot; mapped-ness is read back with `SEEK_DATA`/`SEEK_HOLE`, so it survives a restart with
/// the data. A hole can only cover whole file-system blocks (`allocationGranularity`): unmapping
/// part of one zeroes it but leaves it mapped.
public final class FileBlockStore: BlockStore, @unchecked Sendable {
    public let path: String
    public let blockSize: Int
    /// `st_blksize` of the file: the unit a hole is punched in.
    public let allocationGranularity: Int
    private let fd: Int32
    private let rw = ReadWriteLock()
    /// Guarded by `rw`: read under the shared lock, changed under the exclusive one.
    private var count: UInt64
    /// Cleared for good the first time the file system refuses to punch a hole.
    private let punchHoles = Locked(true)

    /// Whether unmapping still punches holes (false after a refusal, or when disabled).
    public var punchesHoles: Bool { punchHoles.current }

    /// Opens `path`, creating it if missing, and sets its size to `blockCount` blocks (a new or
    /// grown file is all hole, so it reads zeros and costs no space). With `punchHoles` false,
    /// unmapping always writes zeros (a thick backing, or a file system without hole punching).
    public init(path: String, blockSize: Int, blockCount: UInt64, punchHoles: Bool = true) throws {
        guard blockSize > 0 else { throw BlockStoreError.invalidArgument("block size must be positive") }
        let (bytes, overflow) = blockCount.multipliedReportingOverflow(by: UInt64(blockSize))
        guard !overflow, bytes <= UInt64(Int64.max) else {
            throw BlockStoreError.invalidArgument("\(blockCount) blocks of \(blockSize) bytes do not fit in a file")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlockStoreError.io(operation: "open \(path)", errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw BlockStoreError.io(operation: "fstat \(path)", errno: e)
        }
        if UInt64(st.st_size) != bytes, ftruncate(fd, off_t(bytes)) != 0 {
            let e = errno
            close(fd)
            throw BlockStoreError.io(operation: "ftruncate \(path)", errno: e)
        }
        self.path = path
        self.blockSize = blockSize
        self.fd = fd
        self.count = blockCount
        self.allocationGranularity = st.st_blksize > 0 ? Int(st.st_blksize) : 4096
        self.punchHoles.withLock { $0 = punchHoles }
    }

    /// Opens an existing file; its size (rounded down to whole blocks) gives the capacity.
    public convenience init(existingAt path: String, blockSize: Int) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw BlockStoreError.io(operation: "stat \(path)", errno: errno) }
        guard blockSize > 0 else { throw BlockStoreError.invalidArgument("block size must be positive") }
        try self.init(path: path, blockSize: blockSize, blockCount: UInt64(st.st_size) / UInt64(blockSize))
    }

    deinit { close(fd) }

    public var blockCount: UInt64 { rw.withReadLock { count } }

    /// Bytes the file system really holds for the file (`st_blocks` × 512).
    public var allocatedBytes: UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return 0 }
        return UInt64(st.st_blocks) * 512
    }

    public func read(lba: UInt64, count n: Int) throws -> [UInt8] {
        guard n >= 0 else { throw BlockStoreError.invalidArgument("negative block count \(n)") }
        return try rw.withReadLock {
            try check(lba: lba, count: UInt64(n))
            let length = n * blockSize
            // Uninitialized, then filled by pread: no memset of every megabyte first.
            var failure: Int32?
            let out = [UInt8](unsafeUninitializedCapacity: length) { buf, initialized in
                var done = 0
                while done < length {
                    let r = pread(fd, buf.baseAddress! + done, length - done, off_t(lba) * off_t(blockSize) + off_t(done))
                    if r < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    if r == 0 { break }  // past the end of a file shrunk behind our back: zeros
                    done += r
                }
                if done < length { memset(buf.baseAddress! + done, 0, length - done) }
                initialized = length
            }
            if let failure { throw BlockStoreError.io(operation: "pread \(path)", errno: failure) }
            return out
        }
    }

    public func write(lba: UInt64, data: [UInt8]) throws {
        guard data.count % blockSize == 0 else {
            throw BlockStoreError.invalidArgument("write of \(data.count) bytes is not a whole number of \(blockSize)-byte blocks")
        }
        try rw.withReadLock {
            try check(lba: lba, count: UInt64(data.count / blockSize))
            try pwriteAll(data, at: off_t(lba) * off_t(blockSize))
        }
    }

    public func unmap(lba: UInt64, count n: UInt64) throws {
        try rw.withReadLock {
            try check(lba: lba, count: n)
            guard n > 0 else { return }
            let offset = off_t(lba) * off_t(blockSize)
            let length = off_t(n) * off_t(blockSize)
            if punchHoles.current {
                if FileBlockStore.punchHole(fd: fd, offset: offset, length: length) { return }
                punchHoles.withLock { $0 = false }
            }
            try writeZeros(offset: offset, length: length)
        }
    }

    public func isMapped(lba: UInt64) throws -> Bool {
        try rw.withReadLock { try check(lba: lba, count: 1) }
        return try provisioningExtent(from: lba, limit: 1).mapped
    }

    public func provisioningExtent(from lba: UInt64, limit: UInt64) throws -> ProvisioningExtent {
        rw.withReadLock {
            guard lba < count, limit > 0 else { return ProvisioningExtent(mapped: false, blockCount: 0) }
            let bs = UInt64(blockSize)
            let end = lba + Swift.min(limit, count - lba)
            let start = off_t(lba * bs)
            let data = lseek(fd, start, FileBlockStore.seekData)
            if data < 0 {
                if errno == ENXIO {  // no data at or after start: a hole to the end
                    return ProvisioningExtent(mapped: false, blockCount: end - lba)
                }
                // SEEK_DATA unsupported: everything counts as data, as the kernel's own fallback says.
                return ProvisioningExtent(mapped: true, blockCount: end - lba)
            }
            let firstDataBlock = UInt64(data) / bs
            if firstDataBlock > lba {
                return ProvisioningExtent(mapped: false, blockCount: Swift.min(firstDataBlock, end) - lba)
            }
            // Data in block lba: mapped up to the block holding the next hole (a block any part
            // of which holds data is mapped).
            let hole = lseek(fd, start, FileBlockStore.seekHole)
            let holeBlock = hole < 0 ? end : (UInt64(hole) + bs - 1) / bs
            return ProvisioningExtent(mapped: true, blockCount: Swift.max(1, Swift.min(holeBlock, end) - lba))
        }
    }

    public func flush() throws {
        try rw.withReadLock {
            while fsync(fd) != 0 {
                if errno == EINTR { continue }
                throw BlockStoreError.io(operation: "fsync \(path)", errno: errno)
            }
        }
    }

    public func resize(blockCount newCount: UInt64) throws {
        let (bytes, overflow) = newCount.multipliedReportingOverflow(by: UInt64(blockSize))
        guard !overflow, bytes <= UInt64(Int64.max) else {
            throw BlockStoreError.invalidArgument("\(newCount) blocks of \(blockSize) bytes do not fit in a file")
        }
        try rw.withWriteLock {
            guard ftruncate(fd, off_t(bytes)) == 0 else {
                throw BlockStoreError.io(operation: "ftruncate \(path)", errno: errno)
            }
            count = newCount
        }
    }

    // MARK: - Helpers (called with `rw` held)

    private func check(lba: UInt64, count n: UInt64) throws {
        let (end, overflow) = lba.addingReportingOverflow(n)
        guard !overflow, end <= count else { throw BlockStoreError.outOfRange(lba: lba, count: n, capacity: count) }
    }

    private func pwriteAll(_ data: [UInt8], at offset: off_t) throws {
        var done = 0
        try data.withUnsafeBytes { buf in
            while done < data.count {
                let r = pwrite(fd, buf.baseAddress! + done, data.count - done, offset + off_t(done))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw BlockStoreError.io(operation: "pwrite \(path)", errno: errno)
                }
                done += r
            }
        }
    }

    private func writeZeros(offset: off_t, length: off_t) throws {
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var done: off_t = 0
        while done < length {
            let n = Int(Swift.min(off_t(chunk.count), length - done))
            try pwriteAll(n == chunk.count ? chunk : Array(chunk[0..<n]), at: offset + done)
            done += off_t(n)
        }
    }

    // MARK: - Platform

    #if os(Linux)
    static let seekData: Int32 = 3  // SEEK_DATA; Glibc's module map hides the _GNU_SOURCE names
    static let seekHole: Int32 = 4  // SEEK_HOLE

    private typealias FallocateFunction = @convention(c) (Int32, Int32, off_t, off_t) -> Int32
    /// `fallocate(2)`, looked up at run time: the Swift Glibc module does not export it.
    private static let fallocateFunction: FallocateFunction? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: FallocateFunction.self)
    }()

    /// Punches a hole; false when the file system (or the C library) cannot.
    static func punchHole(fd: Int32, offset: off_t, length: off_t) -> Bool {
        guard let fallocate = fallocateFunction else { return false }
        let punchHoleKeepSize: Int32 = 0x02 | 0x01  // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
        while true {
            if fallocate(fd, punchHoleKeepSize, offset, length) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
    #else
    static let seekData: Int32 = SEEK_DATA
    static let seekHole: Int32 = SEEK_HOLE
    static func punchHole(fd: Int32, offset: off_t, length: off_t) -> Bool { false }
    #endif
}
