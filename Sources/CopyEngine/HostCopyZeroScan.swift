/// Whether a buffer holds only zero bytes, eight at a time.
enum HostCopyZeroScan {
    static func isAllZero(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var i = 0
            while i + 64 <= n {
                var acc: UInt64 = 0
                for k in stride(from: 0, to: 64, by: 8) { acc |= raw.loadUnaligned(fromByteOffset: i + k, as: UInt64.self) }
                if acc != 0 { return false }
                i += 64
            }
            while i < n {
                if raw[i] != 0 { return false }
                i += 1
            }
            return true
        }
    }
}
