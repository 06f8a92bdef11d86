import SCSIWire

/// How a copy manager finds the other LUs of the array: by designator (a CSCD carries one) and
/// by LUN, and whether the nexus that sent the copy may reach them (LIO's ACL rule, CTL's
/// port-mapping rule).
public protocol LogicalUnitDirectory: Sendable {
    func logicalUnit(lun: UInt64) -> LogicalUnit?
    /// LUs whose VPD 0x83 shows a designator with this type, code set and value.
    func logicalUnits(matching designator: Designator) -> [LogicalUnit]
    /// The LUN a LU is mapped at, if it is in the array.
    func lun(of unit: LogicalUnit) -> UInt64?
    /// Whether `initiator` may address `unit` (it is mapped and within the nexus' LUN set).
    func isReachable(_ unit: LogicalUnit, from initiator: InitiatorContext) -> Bool
}
