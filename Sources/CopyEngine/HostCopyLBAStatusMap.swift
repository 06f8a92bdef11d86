/// What GET LBA STATUS has said of one LU during one copy, so that each answer (up to 32
/// descriptors, often the whole volume) is asked for once instead of once per chunk.
///
/// Reusing answers is sound within a copy: the source is never written, and a destination
/// chunk is only asked about just before the engine puts that very chunk in place (once), so
/// no answer goes stale before it is used. Asking is one at a time: chunks that start
/// together wait for the first answer instead of all asking the same question.
actor HostCopyLBAStatusMap {
    /// Answers kept in order of LBA; extents of one answer do not overlap.
    private var extents: [HostCopyLBAStatus.Extent] = []
    /// The question in flight; it learns its answer before it ends, so whoever waited for it
    /// finds the answer in `extents`.
    private var asking: Task<HostCopyLBAStatus.Reply, Error>?

    /// What is known of `lba`: an answer that describes it (from earlier or asked now with
    /// `ask`), or the reason none does.
    func describe(_ lba: UInt64, ask: @escaping @Sendable (UInt64) async throws -> HostCopyLBAStatus.Reply)
        async throws -> HostCopyLBAStatus.Reply {
        var waited: Task<HostCopyLBAStatus.Reply, Error>?
        while true {
            if let known = extent(containing: lba) { return .extents([known]) }
            // Each question in flight is waited for once: after it, ask about this LBA ourselves.
            guard let pending = asking, pending != waited else { break }
            waited = pending
            _ = try? await pending.value
        }
        let question = Task { () async throws -> HostCopyLBAStatus.Reply in
            let reply = try await ask(lba)
            if case let .extents(answer) = reply { self.learn(answer) }
            return reply
        }
        asking = question
        defer { if asking == question { asking = nil } }
        return try await question.value
    }

    /// The learned extent containing `lba`, if any.
    func extent(containing lba: UInt64) -> HostCopyLBAStatus.Extent? {
        // Last extent starting at or before lba, then a few before it (answers may overlap).
        var lo = 0, hi = extents.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if extents[mid].lba <= lba { lo = mid + 1 } else { hi = mid }
        }
        for i in stride(from: lo - 1, through: Swift.max(0, lo - 4), by: -1) where lba < extents[i].lba &+ UInt64(extents[i].blocks) {
            return extents[i]
        }
        return nil
    }

    private func learn(_ answer: [HostCopyLBAStatus.Extent]) {
        let useful = answer.filter { $0.blocks > 0 }
        guard !useful.isEmpty else { return }
        extents.append(contentsOf: useful)
        extents.sort { $0.lba < $1.lba }
    }
}
