import SCSIWire

/// VPD 0x8F built from the profile: the descriptors it lists, in its order, each only while the
/// feature behind it is available (no ODX descriptors without a token service). Limits come
/// from the profile's advertised XCOPY values and ODX parameters; token sizes are converted to
/// the LU's blocks.
extension CopyManager {
    public func thirdPartyCopyPage(for unit: LogicalUnit) -> ThirdPartyCopyPage? {
        guard let vpd = profile.thirdPartyCopyVPD, unit.options.thirdPartyCopy else { return nil }
        let descriptors = vpd.descriptors.compactMap { descriptor($0, unit) }
        return ThirdPartyCopyPage(descriptors: descriptors)
    }

    /// The smallest INQUIRY ALLOCATION LENGTH this LU answers for VPD 0x8F: nil = any; the whole
    /// page for QNAP. (The dispatcher serves INQUIRY; it asks this before answering.)
    public func minimumThirdPartyCopyPageAllocationLength(for unit: LogicalUnit) -> Int? {
        guard let vpd = profile.thirdPartyCopyVPD else { return nil }
        switch vpd.minimumAllocationLength {
        case .none: return nil
        case let .bytes(n): return n
        case .wholePage: return thirdPartyCopyPage(for: unit)?.encoded().count
        }
    }

    /// Throws 05/24/00 (field pointer: ALLOCATION LENGTH, byte 3) when an INQUIRY for VPD 0x8F
    /// asks for less than the profile answers.
    public func checkThirdPartyCopyPageAllocation(_ allocationLength: Int, for unit: LogicalUnit) throws(SCSICommandError) {
        if let minimum = minimumThirdPartyCopyPageAllocationLength(for: unit), allocationLength < minimum {
            throw .invalidFieldInCDB(byte: 3)
        }
    }

    private func descriptor(_ type: UInt16, _ unit: LogicalUnit) -> ThirdPartyCopyDescriptor? {
        let odx = odxAvailable ? profile.odx : nil
        let x = xcopy
        switch type {
        case 0x0000:
            guard let o = odx else { return nil }
            return .blockDeviceRODLimits(BlockDeviceRODLimits(
                maximumRangeDescriptors: o.maxRangeDescriptors, maximumInactivityTimeout: o.maxInactivitySeconds,
                defaultInactivityTimeout: o.defaultInactivitySeconds,
                maximumTokenTransferSize: ArrayProfile.ODX.blocks(o.maxTokenTransferBytes, blockSize: unit.blockSize),
                optimalTransferCount: ArrayProfile.ODX.blocks(o.optimalTransferBytes, blockSize: unit.blockSize)))
        case 0x0001:
            let commands = supportedCommands(for: unit)
            return commands.isEmpty ? nil : .supportedCommands(commands)
        case 0x0004:
            guard let x else { return nil }
            return .parameterData(CopyParameterData(
                maximumCSCDDescriptorCount: x.maxCSCDDescriptors, maximumSegmentDescriptorCount: x.maxSegmentDescriptors,
                maximumDescriptorListLength: x.maxDescriptorListLength, maximumInlineDataLength: x.maxInlineDataLength))
        case 0x0008:
            guard let x else { return nil }
            return .supportedDescriptors(x.implementedDescriptorTypeCodes)
        case 0x000C:
            guard let x else { return nil }
            return .supportedCSCDIDs(x.copyManagerCSCDID ? [CSCDDescriptor.copyManagerLogicalUnit] : [])
        case 0x0106:
            guard let o = odx else { return nil }
            return .rodTokenFeatures(RODTokenFeatures(
                remoteTokens: o.remoteTokens, minimumTokenLifetime: o.minTokenLifetimeSeconds,
                maximumTokenLifetime: o.maxTokenLifetimeSeconds, maximumTokenInactivityTimeout: o.maxInactivitySeconds,
                blockDevice: BlockRODFeatures(
                    optimalBlockRODLengthGranularity: o.optimalBlockRODLengthGranularity,
                    maximumBytesInBlockROD: o.maxBytesInBlockROD,
                    optimalBytesInBlockRODTransfer: o.optimalBytesInBlockRODTransfer,
                    optimalBytesToTokenPerSegment: o.optimalBytesToTokenPerSegment ?? UInt64.max,
                    optimalBytesFromTokenPerSegment: o.optimalBytesFromTokenPerSegment ?? UInt64.max)))
        case 0x0108:
            guard let o = odx else { return nil }
            var types = [SupportedRODType(rodType: o.rodType, internalCopy: false, tokenIn: true, tokenOut: true,
                                          preferenceIndication: 0)]
            if o.zeroROD {
                types.append(SupportedRODType(rodType: .blockDeviceZero, internalCopy: false, tokenIn: true, tokenOut: false,
                                              preferenceIndication: 0))
            }
            return .supportedRODTypes(types)
        case 0x8001:
            guard let x else { return nil }
            return .generalCopyOperations(GeneralCopyOperations(
                totalConcurrentCopies: UInt32(x.totalConcurrentCopies),
                maximumIdentifiedConcurrentCopies: UInt32(x.maxConcurrentCopies), maximumSegmentLength: x.maxSegmentLength,
                dataSegmentGranularityLog2: x.dataSegmentGranularityLog2, inlineDataGranularityLog2: x.inlineDataGranularityLog2))
        default:
            return nil
        }
    }
}
