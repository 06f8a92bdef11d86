import SCSIWire

/// The human reports: what a storage admin reads before trusting offload on a LUN pair.
public enum ReportText {
    public static func device(_ r: DeviceReport) -> String {
        var o: [String] = []
        let i = r.inquiry
        o.append("Device \(r.address.display)")
        o.append("  Identity: \(i.vendor) \(i.product) rev \(i.revision)" + (r.family.map { "  [\($0.name)]" } ?? ""))
        o.append("  Unit serial: " + (r.unitSerial.value?.serialNumber ?? "(\(r.unitSerial.absenceReason ?? "none"))"))
        o.append("  SPC version \(i.version), 3PC=\(i.thirdPartyCopy ? 1 : 0), TPGS=\(i.tpgs)")
        o.append("  Designators:")
        if r.designators.isEmpty { o.append("    (none: \(r.deviceIdentification.absenceReason ?? "empty page"))") }
        for d in r.designators { o.append("    \(d.association): \(d.type) [\(d.codeSet)] \(d.valueText)") }
        for p in r.deviceIdentification.value?.problems ?? [] { o.append("    ! \(p)") }
        let c = r.capacity
        o.append("  Capacity: \(c.blockCount) blocks of \(c.blockLength) bytes (\(humanBytes(c.byteCount)))")
        o.append("  Provisioning: LBPME=\(c.lbpme ? 1 : 0) LBPRZ=\(c.lbprz ? 1 : 0)" + (r.provisioning.value.map {
            ", \($0.provisioningTypeName), UNMAP \($0.lbpu ? "yes" : "no"), WRITE SAME(16)+UNMAP \($0.lbpws ? "yes" : "no")"
        } ?? " (VPD 0xB2: \(r.provisioning.absenceReason ?? "absent"))"))
        if let b = r.blockLimits.value {
            o.append("  Block limits: max transfer \(orNotReported(b.maximumTransferLength)) blocks, optimal \(orNotReported(b.optimalTransferLength)), granularity \(b.optimalTransferLengthGranularity)"
                     + ", max unmap LBAs \(b.maximumUnmapLBACount.map(String.init) ?? "-"), descriptors \(b.maximumUnmapBlockDescriptorCount.map(String.init) ?? "-")"
                     + ", unmap granularity \(b.optimalUnmapGranularity.map(String.init) ?? "-")")
        } else {
            o.append("  Block limits: (VPD 0xB0: \(r.blockLimits.absenceReason ?? "absent"))")
        }
        if let page = r.thirdPartyCopy.value {
            o.append("  Third-party copy VPD (0x8F):")
            o.append(contentsOf: thirdPartyCopy(page).map { "    " + $0 })
        } else {
            o.append("  Third-party copy VPD (0x8F): absent (\(r.thirdPartyCopy.absenceReason ?? ""))")
        }
        if let p = r.operatingParameters.value {
            o.append("  RECEIVE COPY OPERATING PARAMETERS:")
            o.append(contentsOf: operatingParameters(p).map { "    " + $0 })
        } else {
            o.append("  RECEIVE COPY OPERATING PARAMETERS: \(r.operatingParameters.absenceReason ?? "absent")")
        }
        let x = r.xcopyVerdict, d = r.odxVerdict
        o.append("XCOPY: \(x.supported ? "supported" : "not supported") - \(x.reason)")
        o.append("ODX: \(d.supported ? "supported" : "not supported") - \(d.reason)")
        return o.joined(separator: "\n")
    }

    public static func pair(_ v: PairVerdict) -> String {
        var o = ["Method: \(v.method.rawValue)", "Reasons:"]
        o += v.reasons.map { "  - \($0)" }
        let p = v.plan
        o.append("Plan: block size \(p.blockSize), \(p.blocksPerSegment) blocks per segment (\(humanBytes(UInt64(p.blocksPerSegment * p.blockSize)))), \(p.segmentsPerCommand) segment(s) per command, concurrency \(p.concurrency), granularity \(p.granularityBlocks) block(s)")
        return o.joined(separator: "\n")
    }

    public static func operatingParameters(_ p: ReceiveCopyOperatingParameters) -> [String] {
        [
            "max CSCD descriptors \(p.maximumCSCDDescriptorCount), max segment descriptors \(p.maximumSegmentDescriptorCount), max descriptor list length \(p.maximumDescriptorListLength)",
            "max segment length \(orNotReported(p.maximumSegmentLength)), max inline data \(p.maximumInlineDataLength), held data limit \(p.heldDataLimit)",
            "total concurrent copies \(p.totalConcurrentCopies), max concurrent copies \(p.maximumConcurrentCopies)",
            "granularity (log2): data segment \(p.dataSegmentGranularityLog2), inline \(p.inlineDataGranularityLog2), held \(p.heldDataGranularityLog2)",
            "implemented descriptors: " + p.implementedDescriptorTypeCodes.map { "\(hexByte($0.rawValue)) \($0)" }.joined(separator: ", "),
        ]
    }

    public static func thirdPartyCopy(_ page: ThirdPartyCopyPage) -> [String] {
        var o: [String] = []
        for d in page.descriptors {
            switch d {
            case let .blockDeviceRODLimits(v):
                o.append("Block Device ROD Token Limits: max range descriptors \(v.maximumRangeDescriptors), max inactivity \(v.maximumInactivityTimeout) s, default inactivity \(v.defaultInactivityTimeout) s, max token transfer \(v.maximumTokenTransferSize) blocks, optimal transfer \(v.optimalTransferCount) blocks")
            case let .supportedCommands(list):
                o.append("Supported Commands: " + list.map { "\(hexByte($0.operationCode.rawValue)) {\($0.serviceActions.map(hexByte).joined(separator: " "))}" }.joined(separator: ", "))
            case let .parameterData(v):
                o.append("Parameter Data: max CSCD \(v.maximumCSCDDescriptorCount), max segments \(v.maximumSegmentDescriptorCount), max list length \(v.maximumDescriptorListLength), max inline \(v.maximumInlineDataLength)")
            case let .supportedDescriptors(codes):
                o.append("Supported Descriptors: " + codes.map(hexByte).joined(separator: " "))
            case let .supportedCSCDIDs(ids):
                o.append("Supported CSCD IDs: " + ids.map { "0x" + hexString([UInt8($0 >> 8), UInt8($0 & 0xFF)]).uppercased() }.joined(separator: " "))
            case let .copyGroupIdentifier(id):
                o.append("Copy Group Identifier: \(hexString(id))")
            case let .rodTokenFeatures(v):
                var s = "ROD Token Features: remote tokens \(v.remoteTokens), lifetime \(v.minimumTokenLifetime)-\(v.maximumTokenLifetime) s, max inactivity \(v.maximumTokenInactivityTimeout) s"
                if let b = v.blockDevice {
                    s += "; block: ROD granularity \(b.optimalBlockRODLengthGranularity), max bytes \(b.maximumBytesInBlockROD), optimal transfer \(b.optimalBytesInBlockRODTransfer), to-token/segment \(b.optimalBytesToTokenPerSegment), from-token/segment \(b.optimalBytesFromTokenPerSegment)"
                }
                o.append(s)
            case let .supportedRODTypes(types):
                o.append("Supported ROD Types: " + types.map { "\($0.rodType) (in \($0.tokenIn ? 1 : 0) out \($0.tokenOut ? 1 : 0))" }.joined(separator: ", "))
            case let .generalCopyOperations(v):
                o.append("General Copy Operations: total concurrent \(v.totalConcurrentCopies), max identified concurrent \(v.maximumIdentifiedConcurrentCopies), max segment length \(orNotReported(v.maximumSegmentLength)), granularity 2^\(v.dataSegmentGranularityLog2) data, 2^\(v.inlineDataGranularityLog2) inline")
            case let .streamCopyOperations(size):
                o.append("Stream Copy Operations: max stream device transfer \(size)")
            case let .heldData(limit, g):
                o.append("Held Data: limit \(limit), granularity 2^\(g)")
            case let .unknown(type, bytes):
                o.append("Descriptor \(hexString([UInt8(type >> 8), UInt8(type & 0xFF)]))h: \(hexString(bytes))")
            }
        }
        o += page.problems.map { "! \($0)" }
        return o
    }

    static func orNotReported<T: BinaryInteger>(_ v: T) -> String { v == 0 ? "not reported" : String(v) }

    public static func humanBytes(_ n: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var v = Double(n), i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(n) B" : String(Int((v * 10).rounded())) .dropLast().description + "." + String(Int((v * 10).rounded()) % 10) + " " + units[i]
    }
}
