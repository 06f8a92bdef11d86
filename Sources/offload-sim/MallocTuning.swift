#if canImport(CMalloc)
import CMalloc
#endif

/// Keeps the target's large transient buffers (a command's data, a Data-In PDU) in the heap.
///
/// Every READ and WRITE allocates and frees buffers of 256 KiB to several MiB. glibc serves
/// those from fresh mmap()s or trims them back to the kernel depending on a threshold it
/// adjusts as it goes, so whether a run pays a page fault per 4 KiB of every buffer depended
/// on the allocation history: the same copy cost the simulator 1.2 or 1.9 CPU-seconds per
/// 4 GiB from one start to the next. A real array does not spend its initiators' cores that
/// way, and on a small machine the simulator shares them with the copy it serves, so the
/// thresholds are fixed high: buffers are reused from the heap.
enum MallocTuning {
    static func keepLargeBuffersInHeap() {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        #endif
    }
}
