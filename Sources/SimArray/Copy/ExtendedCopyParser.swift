import SCSIWire

/// An EXTENDED COPY(LID1) parameter list that passed every check that needs no LU: the header,
/// the CSCDs and segments with where each starts in the list (for field and segment pointers).
struct ExtendedCopyPlan {
    struct CSCD {
        /// Byte offset of the descriptor in the parameter list.
        var offset: Int
        var descriptor: IdentificationCSCD
    }

    struct Segment {
        /// Byte offset of the descriptor in the parameter list.
        var offset: Int
        var descriptor: SegmentDescriptor

        var sourceIndex: UInt16 {
            switch descriptor {
            case let .blockToBlock(s): return s.sourceCSCDIndex
            case let .blockToBlockWithOffset(s): return s.sourceCSCDIndex
            case .unsupported: return 0
            }
        }

        var destinationIndex: UInt16 {
            switch descriptor {
            case let .blockToBlock(s): return s.destinationCSCDIndex
            case let .blockToBlockWithOffset(s): return s.destinationCSCDIndex
            case .unsupported: return 0
            }
        }

        func index(_ side: CopySide) -> UInt16 { side == .source ? sourceIndex : destinationIndex }

        /// The byte of the descriptor holding its length: NUMBER OF BLOCKS (02h) or BYTES (0Ah).
        var lengthField: Int {
            if case .blockToBlockWithOffset = descriptor { return 8 }
            return 10
        }
    }

    var header: ExtendedCopyLID1.Header
    var cscds: [CSCD]
    var segments: [Segment]
}

/// Checks an EXTENDED COPY(LID1) parameter list in the order real targets do, each failure with
/// the sense SPC and the profile prescribe:
///
/// 1. fewer than 16 bytes, CSCD + segment bytes above MAXIMUM DESCRIPTOR LIST LENGTH, or fewer
///    bytes than the header promises: 05/1A/00 (before any count, as libiscsi's DescrLimits
///    expects for a list that is both too long and has too many CSCDs);
/// 2. more CSCDs than advertised: 05/26/06; a CSCD type other than E4h: 05/26/07;
/// 3. more segments than *enforced*: 05/26/08; a segment type the profile lacks: 05/26/09;
/// 4. inline data: 05/26/0B;
/// 5. field checks, 05/26/00 with a field pointer: LIST ID USAGE, CSCD byte 1, designator
///    (LIO: NAA 6 only), DESCRIPTOR LENGTH, CSCD IDs above 07FFh.
struct ExtendedCopyParser {
    var limits: ArrayProfile.ExtendedCopy
    var quirks: [ArrayProfile.Quirk]

    func has(_ q: ArrayProfile.Quirk) -> Bool { quirks.contains(q) }

    func parse(_ data: [UInt8]) throws(CopyFailure) -> ExtendedCopyPlan {
        let headerLength = ExtendedCopyLID1.Header.length
        guard data.count >= headerLength, let header = try? ExtendedCopyLID1.Header(parsing: data) else {
            throw .parameterListLength
        }
        let cscdLength = Int(header.cscdDescriptorListLength)
        let segmentLength = Int(header.segmentDescriptorListLength)
        if UInt64(cscdLength) + UInt64(segmentLength) > UInt64(limits.maxDescriptorListLength) { throw .parameterListLength }
        guard header.totalLength <= UInt64(data.count) else { throw .parameterListLength }

        // CSCD list: walked by type code (CSCDs carry no length).
        let cscdStart = headerLength
        let segmentStart = cscdStart + cscdLength
        var cscdOffsets: [Int] = []
        var offset = cscdStart
        while offset < segmentStart {
            let length = CSCDDescriptor.length(ofTypeCode: data[offset])
            guard offset + length <= segmentStart else { throw .invalidParameter(byte: 2) }
            cscdOffsets.append(offset)
            offset += length
        }
        if cscdOffsets.count > Int(limits.maxCSCDDescriptors) { throw .illegal(.tooManyTargetDescriptors) }
        if let bad = cscdOffsets.first(where: { data[$0] != IdentificationCSCD.typeCode }) {
            throw .illegal(.unsupportedTargetDescriptorTypeCode, pointer: bad)
        }

        // Segment list: walked by DESCRIPTOR LENGTH.
        let segmentEnd = segmentStart + segmentLength
        var segmentOffsets: [Int] = []
        offset = segmentStart
        while offset < segmentEnd {
            guard offset + 4 <= segmentEnd,
                  let length = try? SegmentDescriptor.encodedLength(atStartOf: Array(data[offset..<(offset + 4)])),
                  offset + length <= segmentEnd else {
                throw .invalidParameter(byte: 8)
            }
            segmentOffsets.append(offset)
            offset += length
        }
        if segmentOffsets.count > Int(limits.enforcedMaxSegmentDescriptors) { throw .illegal(.tooManySegmentDescriptors) }
        if let bad = segmentOffsets.first(where: { !limits.segmentTypes.contains(data[$0]) }) {
            throw .illegal(.unsupportedSegmentDescriptorTypeCode, pointer: bad)
        }

        if header.inlineDataLength > limits.maxInlineDataLength { throw .illegal(.inlineDataLengthExceeded) }

        try checkListIdentifier(header)
        let cscds = try cscdOffsets.map { o throws(CopyFailure) in
            ExtendedCopyPlan.CSCD(offset: o, descriptor: try checkCSCD(data, at: o))
        }
        let segments = try segmentOffsets.map { o throws(CopyFailure) in try checkSegment(data, at: o, end: segmentEnd) }
        return ExtendedCopyPlan(header: header, cscds: cscds, segments: segments)
    }

    private func checkListIdentifier(_ header: ExtendedCopyLID1.Header) throws(CopyFailure) {
        guard limits.listIdentifiers else { return }   // LIO only logs them
        switch header.listIDUsage {
        case .reserved:
            if has(.listIDUsageReservedRejected) { throw .invalidParameter(byte: 1, bit: 4) }
        case .noListIdentifier:
            guard limits.snlid else { throw .invalidParameter(byte: 1, bit: 4) }
            if header.listIdentifier != 0 { throw .invalidParameter(byte: 0) }
        case .hold, .discard:
            break
        }
    }

    private func checkCSCD(_ data: [UInt8], at o: Int) throws(CopyFailure) -> IdentificationCSCD {
        let bytes = Array(data[o..<(o + IdentificationCSCD.length)])
        guard let cscd = try? IdentificationCSCD(parsing: bytes) else {
            throw .invalidParameter(byte: o + 7)          // DESIGNATOR LENGTH above 20
        }
        if !has(.cscdByte1Ignored) {
            if has(.cscdLUIDTypeMustBeZero), cscd.luIDType != .logicalUnitDesignator {
                throw .invalidParameter(byte: o + 1, bit: 7)
            }
            if cscd.peripheralDeviceType != 0 { throw .invalidParameter(byte: o + 1, bit: 4) }
        }
        if limits.cscdDesignators == .naa {
            // LIO's target_xcopy_parse_tiddesc_e4: each check points at its byte.
            let d = cscd.designator
            if d.codeSet != .binary { throw .invalidParameter(byte: o + 4, bit: 3) }
            if d.association != .logicalUnit { throw .invalidParameter(byte: o + 5, bit: 5) }
            if d.type != .naa { throw .invalidParameter(byte: o + 5, bit: 3) }
            if d.value.count != 16 { throw .invalidParameter(byte: o + 7) }
            if d.naaType != 6 { throw .invalidParameter(byte: o + 8, bit: 7) }
        }
        return cscd
    }

    private func checkSegment(_ data: [UInt8], at o: Int, end: Int) throws(CopyFailure) -> ExtendedCopyPlan.Segment {
        let length = 4 + (Int(data[o + 2]) << 8 | Int(data[o + 3]))
        guard let descriptor = try? SegmentDescriptor(parsing: Array(data[o..<Swift.min(end, o + length)])) else {
            throw .invalidParameter(byte: o + 2)          // DESCRIPTOR LENGTH wrong for the type
        }
        let segment = ExtendedCopyPlan.Segment(offset: o, descriptor: descriptor)
        for side in [CopySide.source, .destination] {
            let id = segment.index(side)
            let special = id > CSCDDescriptor.maximumListIndex
            if special, !(id == CSCDDescriptor.copyManagerLogicalUnit && limits.copyManagerCSCDID) {
                throw .invalidParameter(byte: o + side.indexField)
            }
        }
        return segment
    }
}
