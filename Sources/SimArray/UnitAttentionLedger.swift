import SCSIWire

/// Pending unit attentions, per I_T nexus and LUN (SAM-5 5.14). A nexus is known from its
/// first command until the front end reports it gone; only known nexuses receive conditions.
struct UnitAttentionLedger {
    private var pending: [String: [UInt64: [AdditionalSense]]] = [:]
    /// Conditions kept per LU and nexus; older ones beyond this are dropped (they would only
    /// repeat "something changed").
    static let limit = 8

    /// Registers a nexus; returns true the first time.
    mutating func register(_ nexus: String) -> Bool {
        guard pending[nexus] == nil else { return false }
        pending[nexus] = [:]
        return true
    }

    mutating func forget(_ nexus: String) { pending[nexus] = nil }

    var nexuses: [String] { Array(pending.keys) }

    mutating func establish(_ sense: AdditionalSense, nexus: String, lun: UInt64) {
        guard var perLUN = pending[nexus] else { return }
        var list = perLUN[lun] ?? []
        if !list.contains(sense) {
            list.append(sense)
            if list.count > Self.limit { list.removeFirst(list.count - Self.limit) }
        }
        perLUN[lun] = list
        pending[nexus] = perLUN
    }

    mutating func take(nexus: String, lun: UInt64) -> AdditionalSense? {
        guard var perLUN = pending[nexus], var list = perLUN[lun], !list.isEmpty else { return nil }
        let first = list.removeFirst()
        perLUN[lun] = list.isEmpty ? nil : list
        pending[nexus] = perLUN
        return first
    }

    func peek(nexus: String, lun: UInt64) -> AdditionalSense? { pending[nexus]?[lun]?.first }

    /// Removes `sense` for every LUN of `nexus` (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED).
    mutating func clear(_ sense: AdditionalSense, nexus: String) {
        guard var perLUN = pending[nexus] else { return }
        for (lun, list) in perLUN {
            let kept = list.filter { $0 != sense }
            perLUN[lun] = kept.isEmpty ? nil : kept
        }
        pending[nexus] = perLUN
    }

    /// Drops everything pending for a LUN that no longer exists.
    mutating func removeLUN(_ lun: UInt64) {
        for nexus in pending.keys { pending[nexus]?[lun] = nil }
    }
}
