import SCSIWire

/// The `--json` forms. Keys are documented in README.md and kept stable: add, never rename.
public enum ReportJSON {
    public static func device(_ r: DeviceReport) -> JSONValue {
        let x = r.xcopyVerdict, o = r.odxVerdict, l = r.xcopyLimits
        return .object([
            ("device", .object([
                ("address", .string(r.address.display)),
                ("vendor", .string(r.inquiry.vendor)),
                ("product", .string(r.inquiry.product)),
                ("revision", .string(r.inquiry.revision)),
                ("serial", .from(r.unitSerial.value?.serialNumber)),
                ("blockSize", .from(r.capacity.blockLength)),
                ("blocks", .from(r.capacity.blockCount)),
                ("thirdPartyCopy", .bool(r.inquiry.thirdPartyCopy)),
                ("tpgs", .from(r.inquiry.tpgs)),
                ("designators", .array(r.designators.map(designator))),
                ("designatorProblems", .array((r.deviceIdentification.value?.problems ?? []).map(JSONValue.string))),
                ("family", .from(r.family?.family)),
            ])),
            ("provisioning", .object([
                ("lbpme", .bool(r.capacity.lbpme)),
                ("lbprz", .bool(r.capacity.lbprz)),
                ("page", r.provisioning.value.map(provisioning) ?? .null),
            ])),
            ("blockLimits", r.blockLimits.value.map(blockLimits) ?? .null),
            ("vpd", .object([
                ("supportedPages", r.supportedPages.value.map { .array($0.pages.map { .from($0.rawValue) }) } ?? .null),
                ("thirdPartyCopy", r.thirdPartyCopy.value.map(thirdPartyCopy) ?? .null),
                ("thirdPartyCopyAbsent", .from(r.thirdPartyCopy.absenceReason)),
            ])),
            ("receiveCopyOperatingParameters", r.operatingParameters.value.map(operatingParameters) ?? .null),
            ("receiveCopyOperatingParametersAbsent", .from(r.operatingParameters.absenceReason)),
            ("xcopy", .object([
                ("supported", .bool(x.supported)),
                ("reason", .string(x.reason)),
                ("limits", x.supported || r.operatingParameters.value != nil ? limits(l) : .null),
            ])),
            ("odx", .object([("supported", .bool(o.supported)), ("reason", .string(o.reason))])),
        ])
    }

    public static func limits(_ l: CopyLimits) -> JSONValue {
        .object([
            ("maxCSCDDescriptors", .from(l.maxCSCDDescriptors)),
            ("maxSegmentDescriptors", .from(l.maxSegmentDescriptors)),
            ("maxDescriptorListLength", .from(l.maxDescriptorListLength)),
            ("maxSegmentLength", .from(l.maxSegmentLength)),
            ("maxConcurrentCopies", .from(l.maxConcurrentCopies)),
            ("totalConcurrentCopies", .from(l.totalConcurrentCopies)),
            ("dataSegmentGranularityLog2", .from(l.dataSegmentGranularityLog2)),
            ("source", .string(l.source)),
        ])
    }

    public static func pair(_ v: PairVerdict, source: DeviceReport, destination: DeviceReport) -> JSONValue {
        .object([
            ("method", .string(v.method.rawValue)),
            ("reasons", .array(v.reasons.map(JSONValue.string))),
            ("plan", .object([
                ("blockSize", .from(v.plan.blockSize)),
                ("blocksPerSegment", .from(v.plan.blocksPerSegment)),
                ("segmentsPerCommand", .from(v.plan.segmentsPerCommand)),
                ("concurrency", .from(v.plan.concurrency)),
                ("granularityBlocks", .from(v.plan.granularityBlocks)),
            ])),
            ("source", device(source)),
            ("destination", device(destination)),
        ])
    }

    public static func designator(_ d: Designator) -> JSONValue {
        .object([
            ("type", .string(d.type.description)),
            ("association", .string(d.association.description)),
            ("codeSet", .string(d.codeSet.description)),
            ("protocolIdentifier", d.piv ? .from(d.protocolIdentifier) : .null),
            ("value", .string(d.valueText)),
            ("hex", .string(hexString(d.value))),
        ])
    }

    public static func provisioning(_ p: LogicalBlockProvisioningPage) -> JSONValue {
        .object([
            ("lbpu", .bool(p.lbpu)), ("lbpws", .bool(p.lbpws)), ("lbpws10", .bool(p.lbpws10)),
            ("lbprz", .from(p.lbprz)), ("anchorSupported", .bool(p.anchorSupported)),
            ("descriptorPresent", .bool(p.descriptorPresent)), ("thresholdExponent", .from(p.thresholdExponent)),
            ("provisioningType", .from(p.provisioningType)), ("provisioningTypeName", .string(p.provisioningTypeName)),
        ])
    }

    public static func blockLimits(_ b: BlockLimitsPage) -> JSONValue {
        .object([
            ("writeSameNonZero", .bool(b.writeSameNonZero)),
            ("maximumCompareAndWriteLength", .from(b.maximumCompareAndWriteLength)),
            ("optimalTransferLengthGranularity", .from(b.optimalTransferLengthGranularity)),
            ("maximumTransferLength", .from(b.maximumTransferLength)),
            ("optimalTransferLength", .from(b.optimalTransferLength)),
            ("maximumPrefetchLength", .from(b.maximumPrefetchLength)),
            ("maximumUnmapLBACount", .from(b.maximumUnmapLBACount)),
            ("maximumUnmapBlockDescriptorCount", .from(b.maximumUnmapBlockDescriptorCount)),
            ("optimalUnmapGranularity", .from(b.optimalUnmapGranularity)),
            ("unmapGranularityAlignment", .from(b.unmapGranularityAlignment)),
            ("maximumWriteSameLength", .from(b.maximumWriteSameLength)),
            ("maximumAtomicTransferLength", .from(b.maximumAtomicTransferLength)),
        ])
    }

    public static func operatingParameters(_ p: ReceiveCopyOperatingParameters) -> JSONValue {
        .object([
            ("snlid", .bool(p.snlid)),
            ("maximumCSCDDescriptorCount", .from(p.maximumCSCDDescriptorCount)),
            ("maximumSegmentDescriptorCount", .from(p.maximumSegmentDescriptorCount)),
            ("maximumDescriptorListLength", .from(p.maximumDescriptorListLength)),
            ("maximumSegmentLength", .from(p.maximumSegmentLength)),
            ("maximumInlineDataLength", .from(p.maximumInlineDataLength)),
            ("heldDataLimit", .from(p.heldDataLimit)),
            ("maximumStreamDeviceTransferSize", .from(p.maximumStreamDeviceTransferSize)),
            ("totalConcurrentCopies", .from(p.totalConcurrentCopies)),
            ("maximumConcurrentCopies", .from(p.maximumConcurrentCopies)),
            ("dataSegmentGranularityLog2", .from(p.dataSegmentGranularityLog2)),
            ("inlineDataGranularityLog2", .from(p.inlineDataGranularityLog2)),
            ("heldDataGranularityLog2", .from(p.heldDataGranularityLog2)),
            ("implementedDescriptorTypeCodes", .array(p.implementedDescriptorTypeCodes.map { .from($0.rawValue) })),
        ])
    }

    public static func thirdPartyCopy(_ page: ThirdPartyCopyPage) -> JSONValue {
        .object([
            ("descriptors", .array(page.descriptors.map(tpcDescriptor))),
            ("problems", .array(page.problems.map(JSONValue.string))),
        ])
    }

    static func tpcDescriptor(_ d: ThirdPartyCopyDescriptor) -> JSONValue {
        let type: (String, JSONValue) = ("type", .string(hexString([UInt8(d.typeCode >> 8), UInt8(d.typeCode & 0xFF)]) + "h"))
        switch d {
        case let .blockDeviceRODLimits(v):
            return .object([type, ("name", .string("Block Device ROD Token Limits")),
                            ("maximumRangeDescriptors", .from(v.maximumRangeDescriptors)),
                            ("maximumInactivityTimeout", .from(v.maximumInactivityTimeout)),
                            ("defaultInactivityTimeout", .from(v.defaultInactivityTimeout)),
                            ("maximumTokenTransferSize", .from(v.maximumTokenTransferSize)),
                            ("optimalTransferCount", .from(v.optimalTransferCount))])
        case let .supportedCommands(list):
            return .object([type, ("name", .string("Supported Commands")),
                            ("commands", .array(list.map { .object([("operationCode", .from($0.operationCode.rawValue)),
                                                                    ("serviceActions", .array($0.serviceActions.map { .from($0) }))]) }))])
        case let .parameterData(v):
            return .object([type, ("name", .string("Parameter Data")),
                            ("maximumCSCDDescriptorCount", .from(v.maximumCSCDDescriptorCount)),
                            ("maximumSegmentDescriptorCount", .from(v.maximumSegmentDescriptorCount)),
                            ("maximumDescriptorListLength", .from(v.maximumDescriptorListLength)),
                            ("maximumInlineDataLength", .from(v.maximumInlineDataLength))])
        case let .supportedDescriptors(codes):
            return .object([type, ("name", .string("Supported Descriptors")), ("codes", .array(codes.map { .from($0) }))])
        case let .supportedCSCDIDs(ids):
            return .object([type, ("name", .string("Supported CSCD Descriptor IDs")), ("ids", .array(ids.map { .from($0) }))])
        case let .copyGroupIdentifier(id):
            return .object([type, ("name", .string("Copy Group Identifier")), ("hex", .string(hexString(id)))])
        case let .rodTokenFeatures(v):
            let blk: JSONValue = v.blockDevice.map { b in .object([
                ("optimalBlockRODLengthGranularity", .from(b.optimalBlockRODLengthGranularity)),
                ("maximumBytesInBlockROD", .from(b.maximumBytesInBlockROD)),
                ("optimalBytesInBlockRODTransfer", .from(b.optimalBytesInBlockRODTransfer)),
                ("optimalBytesToTokenPerSegment", .from(b.optimalBytesToTokenPerSegment)),
                ("optimalBytesFromTokenPerSegment", .from(b.optimalBytesFromTokenPerSegment))]) } ?? .null
            return .object([type, ("name", .string("ROD Token Features")), ("remoteTokens", .from(v.remoteTokens)),
                            ("minimumTokenLifetime", .from(v.minimumTokenLifetime)),
                            ("maximumTokenLifetime", .from(v.maximumTokenLifetime)),
                            ("maximumTokenInactivityTimeout", .from(v.maximumTokenInactivityTimeout)),
                            ("blockDevice", blk)])
        case let .supportedRODTypes(types):
            return .object([type, ("name", .string("Supported ROD Types")),
                            ("rodTypes", .array(types.map { .object([("rodType", .from($0.rodType.rawValue)), ("name", .string($0.rodType.description)),
                                                                     ("internalCopy", .bool($0.internalCopy)), ("tokenIn", .bool($0.tokenIn)),
                                                                     ("tokenOut", .bool($0.tokenOut)), ("preferenceIndication", .from($0.preferenceIndication))]) }))])
        case let .generalCopyOperations(v):
            return .object([type, ("name", .string("General Copy Operations")),
                            ("totalConcurrentCopies", .from(v.totalConcurrentCopies)),
                            ("maximumIdentifiedConcurrentCopies", .from(v.maximumIdentifiedConcurrentCopies)),
                            ("maximumSegmentLength", .from(v.maximumSegmentLength)),
                            ("dataSegmentGranularityLog2", .from(v.dataSegmentGranularityLog2)),
                            ("inlineDataGranularityLog2", .from(v.inlineDataGranularityLog2))])
        case let .streamCopyOperations(size):
            return .object([type, ("name", .string("Stream Copy Operations")), ("maximumStreamDeviceTransferSize", .from(size))])
        case let .heldData(limit, g):
            return .object([type, ("name", .string("Held Data")), ("heldDataLimit", .from(limit)), ("heldDataGranularityLog2", .from(g))])
        case let .unknown(_, bytes):
            return .object([type, ("name", .string("unknown")), ("hex", .string(hexString(bytes)))])
        }
    }

    public static func sense(_ s: SenseData) -> JSONValue {
        .object([
            ("format", .string(s.format == .fixed ? "fixed" : "descriptor")),
            ("deferred", .bool(s.deferred)),
            ("senseKey", .from(s.key.rawValue)), ("senseKeyName", .string(s.key.description)),
            ("asc", .from(s.additionalSense.code)), ("ascq", .from(s.additionalSense.qualifier)),
            ("additionalSense", .from(s.additionalSense.name)),
            ("information", .from(s.information)),
            ("commandSpecificInformation", .from(s.commandSpecificInformation)),
            ("senseKeySpecific", .from(s.senseKeySpecific?.describe(for: s.key))),
            ("fieldReplaceableUnitCode", .from(s.fieldReplaceableUnitCode)),
            ("forwarded", .array(s.forwarded.map { f in .object([
                ("source", .string(f.source.description)), ("status", .from(f.status)),
                ("sense", f.sense.map(sense) ?? .null)]) })),
        ])
    }
}
