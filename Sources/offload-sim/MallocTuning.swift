#if os(Linux)
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
/// thresholds are fixed high: buffers are reused from the heap. 32 MiB is the most older glibc
/// accepts for the mmap threshold (HEAP_MAX_SIZE / 2); a refusal leaves glibc's defaults.
enum MallocTuning {
    static func keepLargeBuffersInHeap() {
        #if os(Linux)
        // The trim threshold only once the mmap threshold was taken: setting either stops
        // glibc adjusting both, and a trim threshold alone would pin mmap at its 128 KiB default.
        if mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 {
            _ = mallopt(M_TRIM_THRESHOLD, 128 << 20)
        }
        #endif
    }
}
