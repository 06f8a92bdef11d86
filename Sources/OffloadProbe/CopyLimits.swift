import SCSIWire

/// EXTENDED COPY limits of one copy manager, merged from RECEIVE COPY OPERATING PARAMETERS
/// (preferred: it is the copy manager's live answer) and VPD 0x8F. nil means not reported;
/// a reported 0 in a maximum also means "not reported" and is stored as nil.
public struct CopyLimits: Sendable, Equatable {
    public var maxCSCDDescriptors: Int?
    public var maxSegmentDescriptors: Int?
    public var maxDescriptorListLength: Int?
    public var maxSegmentLength: Int?
    public var maxConcurrentCopies: Int?
    public var totalConcurrentCopies: Int?
    public var dataSegmentGranularityLog2: Int?
    public var implementedDescriptors: [UInt8]?
    /// "RECEIVE COPY OPERATING PARAMETERS", "VPD 0x8F" or both.
    public var source: String

    static func nonZero<T: BinaryInteger>(_ v: T?) -> Int? { v.flatMap { $0 == 0 ? nil : Int($0) } }

    init(rcop: ReceiveCopyOperatingParameters?, page: ThirdPartyCopyPage?) {
        let p = page?.parameterData
        let g = page?.generalCopyOperations
        maxCSCDDescriptors = Self.nonZero(rcop?.maximumCSCDDescriptorCount) ?? Self.nonZero(p?.maximumCSCDDescriptorCount)
        maxSegmentDescriptors = Self.nonZero(rcop?.maximumSegmentDescriptorCount) ?? Self.nonZero(p?.maximumSegmentDescriptorCount)
        maxDescriptorListLength = Self.nonZero(rcop?.maximumDescriptorListLength) ?? Self.nonZero(p?.maximumDescriptorListLength)
        maxSegmentLength = Self.nonZero(rcop?.maximumSegmentLength) ?? Self.nonZero(g?.maximumSegmentLength)
        maxConcurrentCopies = Self.nonZero(rcop?.maximumConcurrentCopies) ?? Self.nonZero(g?.maximumIdentifiedConcurrentCopies)
        totalConcurrentCopies = Self.nonZero(rcop?.totalConcurrentCopies) ?? Self.nonZero(g?.totalConcurrentCopies)
        dataSegmentGranularityLog2 = (rcop?.dataSegmentGranularityLog2).map(Int.init) ?? (g?.dataSegmentGranularityLog2).map(Int.init)
        implementedDescriptors = rcop.map { $0.implementedDescriptorTypeCodes.map(\.rawValue) } ?? page?.supportedDescriptorCodes
        source = [rcop != nil ? "RECEIVE COPY OPERATING PARAMETERS" : nil, page?.parameterData != nil ? "VPD 0x8F" : nil]
            .compactMap { $0 }.joined(separator: " + ")
    }
}
