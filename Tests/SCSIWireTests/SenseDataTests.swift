import Foundation
import Testing
@testable import SCSIWire

/// Sense data, fixed (70h/71h) and descriptor (72h/73h) formats. Vectors: sg3_utils
/// `inhex/{fixed_sense,descriptor_sense,forwarded_sense,ref_sense}.hex` (synthetic decoder test
/// data from sg3_utils, not captures of a target); oracle: sg_decode_sense 1.21 (sg3-utils 1.46).
@Suite struct SenseDataTests {

    // MARK: - sg3_utils vectors

    @Test("fixed_sense.hex: MEDIUM ERROR 11/00, INFORMATION 0x1234, FRU 119, retry count 0x198")
    func fixedFormatVector() throws {
        let b = try TestVectors.inhex("fixed_sense.hex")
        #expect(b.count == 18)
        #expect(b[0] == 0xF0, "VALID set, response code 70h")
        #expect(b[7] == 0x0A, "ADDITIONAL SENSE LENGTH 10")
        let s = try SenseData(parsing: b)
        #expect(s.format == .fixed)
        #expect(!s.deferred)
        #expect(s.key == .mediumError)
        #expect(s.additionalSense == AdditionalSense(code: 0x11, qualifier: 0x00))
        #expect(s.additionalSense.name == "UNRECOVERED READ ERROR")
        #expect(s.information == 0x1234)
        #expect((s.commandSpecificInformation ?? 0) == 0, "bytes 8-11 are zero")
        #expect(s.fieldReplaceableUnitCode == 0x77)
        let sks = try #require(s.senseKeySpecific)
        #expect(sks.bytes == [0x00, 0x01, 0x98], "SKSV is stripped from the stored bytes")
        #expect(sks.pointerValue == 0x0198)
        #expect(sks.describe(for: s.key) == "actual retry count 408")
        #expect(!s.filemark && !s.endOfMedium && !s.incorrectLength)
        #expect(s.otherDescriptors.isEmpty && s.forwarded.isEmpty)
        #expect(s.description == "MEDIUM ERROR, UNRECOVERED READ ERROR (11/00), information 4660, actual retry count 408")
    }

    @Test("fixed-format COMMAND-SPECIFIC INFORMATION 0 (COPY ABORTED in segment 0) reads as 0, not absent")
    func fixedFormatCommandSpecificZero() throws {
        // For COPY ABORTED, COMMAND-SPECIFIC INFORMATION is the number of the failing segment and
        // segments count from 0 (FreeBSD CTL tpc_set_io_error_sense; targets.md §12). Fixed format
        // has no validity bit for the field: bytes 8-11 within ADDITIONAL SENSE LENGTH are the
        // value. SenseData.swift drops it when it is 0, so "segment 0 failed" reads as "not reported".
        let b = TestVectors.hex("70 00 0a 00 00 00 00 0a  00 00 00 00  0d 01 00 80 00 10")
        let s = try SenseData(parsing: b)
        #expect(s.key == .copyAborted && s.additionalSense == .thirdPartyDeviceFailure)
        #expect(s.commandSpecificInformation == 0, "failing segment 0")
        // The same through our own builder (SimArray's SCSICommandError emits fixed format).
        let built = SenseData(format: .fixed, key: .copyAborted, additionalSense: .thirdPartyDeviceFailure,
                              commandSpecificInformation: 0)
        #expect(try SenseData(parsing: built.encoded()).commandSpecificInformation == 0)
    }

    @Test("Fixed format: INFORMATION is absent when VALID is clear, even if bytes 3-6 are non-zero")
    func fixedFormatValidBit() throws {
        var b = try TestVectors.inhex("fixed_sense.hex")
        b[0] = 0x70
        let s = try SenseData(parsing: b)
        #expect(s.information == nil)
        #expect(s.key == .mediumError)
    }

    @Test("Fixed format byte 2: FILEMARK, EOM, ILI bits and the key in bits 3-0")
    func fixedFormatByte2() throws {
        for (byte2, fm, eom, ili, key) in [(UInt8(0x80), true, false, false, SenseKey.noSense),
                                          (0x40, false, true, false, .noSense),
                                          (0x20, false, false, true, .noSense),
                                          (0xEA, true, true, true, .copyAborted),
                                          (0x1D, false, false, false, .volumeOverflow)] {
            var b = [UInt8](repeating: 0, count: 18)
            b[0] = 0x70; b[2] = byte2; b[7] = 10
            let s = try SenseData(parsing: b)
            #expect(s.filemark == fm && s.endOfMedium == eom && s.incorrectLength == ili, "byte 2 = \(hexByte(byte2))")
            #expect(s.key == key, "byte 2 = \(hexByte(byte2)); bit 4 is reserved and must not leak into the key")
        }
    }

    @Test("descriptor_sense.hex: INFORMATION, COMMAND-SPECIFIC, SKS, FRU, SDAT_OVFL, unmodelled descriptors kept")
    func descriptorFormatVector() throws {
        let b = try TestVectors.inhex("descriptor_sense.hex")
        #expect(b.count == 8 + 0x4C)
        let s = try SenseData(parsing: b)
        #expect(s.format == .descriptor)
        #expect(!s.deferred)
        #expect(s.key == .recoveredError)
        #expect(s.additionalSense == AdditionalSense(code: 0x03, qualifier: 0x02))
        #expect(s.additionalSense.name == nil, "03/02 EXCESSIVE WRITE ERRORS is not in the table")
        #expect(s.additionalSense.description == "ASC/ASCQ 03/02")
        #expect(s.senseDataOverflow)
        #expect(s.information == 0x1122_3344_5566_77BB)
        #expect(s.commandSpecificInformation == 0x3344_5566_77BB_CCFF)
        let sks = try #require(s.senseKeySpecific)
        #expect(sks.pointerValue == 257)
        #expect(sks.describe(for: .recoveredError) == "actual retry count 257")
        #expect(s.fieldReplaceableUnitCode == 0x45)
        #expect(s.forwarded.isEmpty)
        // Another progress indication (0Ah), block commands (05h, ILI) and user data segment
        // referral (0Bh) are kept verbatim, header included, in wire order; ILI is also read out.
        #expect(s.otherDescriptors.map(\.type) == [0x0A, 0x05, 0x0B])
        #expect(s.otherDescriptors.map(\.bytes.count) == [8, 4, 28])
        #expect(s.otherDescriptors[0].bytes == TestVectors.hex("0a 06 02 01 02 00 32 01"))
        #expect(s.otherDescriptors[1].bytes == TestVectors.hex("05 02 00 20"))
        #expect(s.incorrectLength, "ILI of the block commands descriptor (05h)")
        #expect(Array(s.otherDescriptors[2].bytes.prefix(4)) == [0x0B, 0x1A, 0x01, 0x00])
        #expect(!s.filemark && !s.endOfMedium, "no stream commands descriptor (04h)")
    }

    @Test("descriptor-format ILI (block commands descriptor 05h, byte 3 bit 5) surfaces as incorrectLength")
    func descriptorFormatILI() throws {
        // SPC-4 4.5.2.6 (block commands sense data descriptor) and 4.5.2.5 (stream commands: FILEMARK,
        // EOM, ILI) carry in descriptor format what fixed format keeps in byte 2 bits 7-5.
        // sg_decode_sense prints "Incorrect Length Indicator (ILI) set" for descriptor_sense.hex;
        // SenseData.swift documents "descriptor format has none" and leaves incorrectLength false.
        let s = try SenseData(parsing: TestVectors.inhex("descriptor_sense.hex"))
        #expect(s.incorrectLength, "descriptor_sense.hex has 05h descriptor 05 02 00 20 (ILI set)")
        let stream = try SenseData(parsing: TestVectors.hex("72 00 00 00 00 00 00 04  04 02 00 e0"))
        #expect(stream.filemark && stream.endOfMedium && stream.incorrectLength,
                "stream commands descriptor 04h with FILEMARK, EOM and ILI set")
    }

    @Test("forwarded_sense.hex: forwarded sense descriptor 0Ch from copy destination 0 with nested sense")
    func forwardedSenseVector() throws {
        let b = try TestVectors.inhex("forwarded_sense.hex")
        #expect(b.count == 8 + 0x1C)
        let s = try SenseData(parsing: b)
        #expect(s.format == .descriptor)
        #expect(s.key == .unitAttention)
        #expect(s.additionalSense == AdditionalSense(code: 0x18, qualifier: 0x07))
        #expect(s.information == 0x1122_3344_5566_7788)
        #expect(s.fieldReplaceableUnitCode == 0x99)
        #expect(s.commandSpecificInformation == nil && s.senseKeySpecific == nil)
        #expect(s.otherDescriptors.isEmpty)
        try #require(s.forwarded.count == 1)
        let f = s.forwarded[0]
        #expect(!f.truncated, "FSDT clear")
        #expect(f.source == .copyDestination(0), "SENSE DATA SOURCE 1h = EXTENDED COPY destination device 0")
        #expect(f.source.description == "copy destination device 0")
        #expect(f.status == 0x02, "CHECK CONDITION")
        #expect(f.senseBytes == TestVectors.hex("72 06 18 07 00 00 00 00"))
        let nested = try #require(f.sense)
        #expect(nested.key == .unitAttention)
        #expect(nested.additionalSense == AdditionalSense(code: 0x18, qualifier: 0x07))
        #expect(nested.information == nil)
        #expect(s.description.contains("forwarded from copy destination device 0: UNIT ATTENTION"))
    }

    @Test("ref_sense.hex: NO SENSE with one user data segment referral descriptor kept verbatim")
    func referralSenseVector() throws {
        let b = try TestVectors.inhex("ref_sense.hex")
        #expect(b.count == 8 + 0x38)
        let s = try SenseData(parsing: b)
        #expect(s.key == .noSense)
        #expect(s.additionalSense == .noAdditionalSenseInformation)
        #expect(s.additionalSense.name == "NO ADDITIONAL SENSE INFORMATION")
        #expect(s.information == nil && s.commandSpecificInformation == nil && s.fieldReplaceableUnitCode == nil)
        #expect(s.otherDescriptors.count == 1)
        #expect(s.otherDescriptors.first?.type == 0x0B)
        #expect(s.otherDescriptors.first?.bytes == Array(b[8...]))
    }

    // MARK: - Against sg_decode_sense 1.21 (sg3-utils 1.46)

    /// What sg_decode_sense printed, reduced to the fields SenseData models.
    struct SgSense {
        var format: String = ""          // "Fixed format" / "Descriptor format"
        var deferred = false
        var keyName: String = ""
        var additional: String?
        var information: UInt64?
        var commandSpecific: UInt64?
        var fru: UInt64?
        var retryCount: UInt64?
        var overflow = false
        var forwardedSource: String?
        var forwardedStatus: String?
        var fsdt: String?
        var nested: [String] = []
        var ili = false

        init(_ text: String) {
            var inNested = false
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("vvvv") { inNested = true; continue }
                if line.hasPrefix("^^^^") { inNested = false; continue }
                if inNested { nested.append(line); continue }
                if let r = line.range(of: "; Sense key: ") {
                    let head = line[..<r.lowerBound]
                    format = String(head.split(separator: ",").first ?? "")
                    deferred = head.contains("deferred")
                    keyName = String(line[r.upperBound...])
                } else if line.hasPrefix("Additional sense: ") {
                    additional = String(line.dropFirst("Additional sense: ".count))
                } else if let v = Self.hexAfter("Info fld=0x", line) ?? Self.hexAfter("Information: 0x", line) {
                    information = v
                } else if let v = Self.hexAfter("Command specific: 0x", line) {
                    commandSpecific = v
                } else if let r = line.range(of: "Field replaceable unit code: ") {
                    fru = Self.number(String(line[r.upperBound...]))
                } else if let r = line.range(of: "Actual retry count: ") {
                    retryCount = Self.number(String(line[r.upperBound...]))
                } else if line.contains("SDAT_OVFL") {
                    overflow = true
                } else if line.hasPrefix("Sense data source: ") {
                    forwardedSource = String(line.dropFirst("Sense data source: ".count))
                } else if line.hasPrefix("Forwarded status: ") {
                    forwardedStatus = String(line.dropFirst("Forwarded status: ".count))
                } else if line.hasPrefix("FSDT: ") {
                    fsdt = String(line.dropFirst("FSDT: ".count))
                } else if line.contains("Incorrect Length Indicator (ILI) set") {
                    ili = true
                }
            }
        }

        static func hexAfter(_ prefix: String, _ line: String) -> UInt64? {
            guard let r = line.range(of: prefix) else { return nil }
            return UInt64(line[r.upperBound...].prefix { $0.isHexDigit }, radix: 16)
        }

        static func number(_ s: String) -> UInt64? {
            let token = s.prefix { !$0.isWhitespace }
            if token.hasPrefix("0x") { return UInt64(token.dropFirst(2), radix: 16) }
            return UInt64(token)
        }
    }

    static func sgDecode(_ bytes: [UInt8]) throws -> String {
        let tool = try TestVectors.requireSgDecodeSense()
        let result = try TestVectors.run(tool, bytes.map { String(format: "%02x", $0) })
        try #require(result.status == 0, "sg_decode_sense exited \(result.status): \(result.stderr)")
        return result.stdout
    }

    static func compare(_ ours: SenseData, _ sg: SgSense, _ file: String) {
        #expect(sg.format == (ours.format == .fixed ? "Fixed format" : "Descriptor format"), "\(file): format")
        #expect(sg.deferred == ours.deferred, "\(file): deferred")
        #expect(sg.keyName.uppercased() == ours.key.description, "\(file): sense key: ours \(ours.key), sg_decode_sense \(sg.keyName)")
        if let name = ours.additionalSense.name {
            #expect(sg.additional?.uppercased() == name, "\(file): ASC/ASCQ name: ours \(name), sg_decode_sense \(sg.additional ?? "none")")
        }
        #expect(sg.information == ours.information, "\(file): information")
        if ours.format == .descriptor {
            #expect(sg.commandSpecific == ours.commandSpecificInformation, "\(file): command-specific")
            #expect(sg.overflow == ours.senseDataOverflow, "\(file): SDAT_OVFL")
        }
        #expect(sg.fru == ours.fieldReplaceableUnitCode.map(UInt64.init), "\(file): FRU")
        if [.recoveredError, .mediumError, .hardwareError].contains(ours.key) {
            #expect(sg.retryCount == ours.senseKeySpecific.map { UInt64($0.pointerValue) }, "\(file): actual retry count")
        }
        #expect((sg.forwardedSource != nil) == !ours.forwarded.isEmpty, "\(file): forwarded descriptor presence")
    }

    @Test("sg_decode_sense agrees on every sg3_utils sense vector",
          arguments: ["fixed_sense.hex", "descriptor_sense.hex", "forwarded_sense.hex", "ref_sense.hex"])
    func againstSgDecodeSense(file: String) throws {
        let b = try TestVectors.inhex(file)
        let ours = try SenseData(parsing: b)
        let tool = try TestVectors.requireSgDecodeSense()
        let result = try TestVectors.run(tool, ["-f", TestVectors.inhexDirectory.appendingPathComponent(file).path])
        try #require(result.status == 0, "sg_decode_sense -f \(file) exited \(result.status): \(result.stderr)")
        let sg = SgSense(result.stdout)
        Self.compare(ours, sg, file)
        if file == "descriptor_sense.hex" {
            #expect(sg.ili, "sg_decode_sense sees ILI in the 05h descriptor")
            #expect(ours.incorrectLength)
        }
        if let f = ours.forwarded.first {
            #expect(sg.forwardedSource == "Extended copy command " + f.source.description.replacingOccurrences(of: "copy ", with: "", options: .anchored),
                    "\(file): forwarded source: ours \(f.source), sg_decode_sense \(sg.forwardedSource ?? "none")")
            #expect(sg.forwardedStatus == "Check Condition" && f.status == 0x02)
            #expect(sg.fsdt == (f.truncated ? "set" : "clear"))
            let nested = try #require(f.sense)
            #expect(sg.nested.first?.hasSuffix("Sense key: " + nested.key.description.capitalized) == true,
                    "nested sense key: sg_decode_sense printed \(sg.nested)")
        }
    }

    @Test("Every named ASC/ASCQ pair matches sg_decode_sense's name for it")
    func ascNameTableAgainstSgDecodeSense() throws {
        let tool = try TestVectors.requireSgDecodeSense()
        #expect(AdditionalSense.names.count > 100, "the table is not empty or truncated")
        for (pair, name) in AdditionalSense.names.sorted(by: { $0.key < $1.key }) {
            let asc = UInt8(pair >> 8), ascq = UInt8(pair & 0xFF)
            let bytes: [UInt8] = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]
            let result = try TestVectors.run(tool, bytes.map { String(format: "%02x", $0) })
            let sgName = result.stdout.split(separator: "\n")
                .first { $0.hasPrefix("Additional sense: ") }?.dropFirst("Additional sense: ".count)
            #expect(sgName.map { $0.uppercased() } == name,
                    "\(hexString([asc, ascq]).uppercased()): ours \"\(name)\", sg_decode_sense \"\(sgName.map(String.init) ?? "none")\"")
            #expect(AdditionalSense(code: asc, qualifier: ascq).name == name)
        }
    }

    @Test("Our encoded COPY ABORTED sense (FreeBSD-style) decodes as intended by sg_decode_sense")
    func encodedCopyAbortedAgainstSgDecodeSense() throws {
        let destinationSense = SenseData(format: .fixed, key: .mediumError, additionalSense: AdditionalSense(code: 0x11, qualifier: 0))
        let s = SenseData(format: .descriptor, key: .copyAborted, additionalSense: .thirdPartyDeviceFailure,
                          information: 7, commandSpecificInformation: 3,
                          senseKeySpecific: .segmentPointer(inSegmentDescriptor: true, byte: 28),
                          forwarded: [ForwardedSense(source: .copyDestination(1), status: 0x02, senseBytes: destinationSense.encoded())])
        let text = try Self.sgDecode(s.encoded())
        let sg = SgSense(text)
        Self.compare(s, sg, "encoded COPY ABORTED")
        #expect(sg.keyName == "Copy Aborted")
        #expect(sg.additional == "Third party device failure")
        #expect(text.contains("Segment pointer:") && text.contains("Relative to start of segment descriptor, byte 28"),
                "segment pointer: \(text)")
        #expect(sg.forwardedSource == "Extended copy command destination device 1")
        #expect(sg.nested.first == "Fixed format, current; Sense key: Medium Error")
        #expect(sg.nested.contains("Additional sense: Unrecovered read error"))
    }

    // MARK: - Names

    @Test("Sense key values and names (COPY ABORTED is 0Ah, 0Dh is VOLUME OVERFLOW)")
    func senseKeyNames() {
        #expect(SenseKey.copyAborted.rawValue == 0x0A)
        #expect(SenseKey.volumeOverflow.rawValue == 0x0D)
        #expect(SenseKey(rawValue: 0xFA) == .copyAborted, "only bits 3-0 are the key")
        let expected: [UInt8: String] = [
            0x0: "NO SENSE", 0x1: "RECOVERED ERROR", 0x2: "NOT READY", 0x3: "MEDIUM ERROR", 0x4: "HARDWARE ERROR",
            0x5: "ILLEGAL REQUEST", 0x6: "UNIT ATTENTION", 0x7: "DATA PROTECT", 0x8: "BLANK CHECK",
            0x9: "VENDOR SPECIFIC", 0xA: "COPY ABORTED", 0xB: "ABORTED COMMAND", 0xC: "RESERVED(0x0C)",
            0xD: "VOLUME OVERFLOW", 0xE: "MISCOMPARE", 0xF: "COMPLETED",
        ]
        for (raw, name) in expected { #expect(SenseKey(rawValue: raw).description == name) }
        #expect([SenseKey.noSense, .recoveredError, .notReady, .mediumError, .hardwareError, .illegalRequest,
                 .unitAttention, .dataProtect, .blankCheck, .vendorSpecific, .copyAborted, .abortedCommand,
                 .volumeOverflow, .miscompare, .completed].map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xA, 0xB, 0xD, 0xE, 0xF])
    }

    @Test("Copy-relevant ASC/ASCQ constants carry the right codes and names", arguments: [
        (AdditionalSense.copyTargetDeviceNotReachable, 0x0D, 0x02, "COPY TARGET DEVICE NOT REACHABLE"),
        (.thirdPartyDeviceFailure, 0x0D, 0x01, "THIRD PARTY DEVICE FAILURE"),
        (.errorDetectedByThirdPartyTemporaryInitiator, 0x0D, 0x00, "ERROR DETECTED BY THIRD PARTY TEMPORARY INITIATOR"),
        (.incorrectCopyTargetDeviceType, 0x0D, 0x03, "INCORRECT COPY TARGET DEVICE TYPE"),
        (.copyTargetDeviceDataUnderrun, 0x0D, 0x04, "COPY TARGET DEVICE DATA UNDERRUN"),
        (.copyTargetDeviceDataOverrun, 0x0D, 0x05, "COPY TARGET DEVICE DATA OVERRUN"),
        (.unreachableCopyTarget, 0x08, 0x04, "UNREACHABLE COPY TARGET"),
        (.tooManyTargetDescriptors, 0x26, 0x06, "TOO MANY TARGET DESCRIPTORS"),
        (.unsupportedTargetDescriptorTypeCode, 0x26, 0x07, "UNSUPPORTED TARGET DESCRIPTOR TYPE CODE"),
        (.tooManySegmentDescriptors, 0x26, 0x08, "TOO MANY SEGMENT DESCRIPTORS"),
        (.unsupportedSegmentDescriptorTypeCode, 0x26, 0x09, "UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE"),
        (.unexpectedInexactSegment, 0x26, 0x0A, "UNEXPECTED INEXACT SEGMENT"),
        (.inlineDataLengthExceeded, 0x26, 0x0B, "INLINE DATA LENGTH EXCEEDED"),
        (.invalidOperationForCopySourceOrDestination, 0x26, 0x0C, "INVALID OPERATION FOR COPY SOURCE OR DESTINATION"),
        (.copySegmentGranularityViolation, 0x26, 0x0D, "COPY SEGMENT GRANULARITY VIOLATION"),
        (.copySourceOrDestinationNotAuthorized, 0x26, 0x15, "COPY SOURCE OR COPY DESTINATION NOT AUTHORIZED"),
        (.fastCopyNotPossible, 0x26, 0x16, "FAST COPY NOT POSSIBLE"),
        (.invalidFieldInParameterList, 0x26, 0x00, "INVALID FIELD IN PARAMETER LIST"),
        (.invalidTokenOperationCauseNotReportable, 0x23, 0x00, "INVALID TOKEN OPERATION, CAUSE NOT REPORTABLE"),
        (.unsupportedTokenType, 0x23, 0x01, "INVALID TOKEN OPERATION, UNSUPPORTED TOKEN TYPE"),
        (.remoteTokenUsageNotSupported, 0x23, 0x02, "INVALID TOKEN OPERATION, REMOTE TOKEN USAGE NOT SUPPORTED"),
        (.remoteRODTokenCreationNotSupported, 0x23, 0x03, "INVALID TOKEN OPERATION, REMOTE ROD TOKEN CREATION NOT SUPPORTED"),
        (.tokenUnknown, 0x23, 0x04, "INVALID TOKEN OPERATION, TOKEN UNKNOWN"),
        (.tokenCorrupt, 0x23, 0x05, "INVALID TOKEN OPERATION, TOKEN CORRUPT"),
        (.tokenRevoked, 0x23, 0x06, "INVALID TOKEN OPERATION, TOKEN REVOKED"),
        (.tokenExpired, 0x23, 0x07, "INVALID TOKEN OPERATION, TOKEN EXPIRED"),
        (.tokenCancelled, 0x23, 0x08, "INVALID TOKEN OPERATION, TOKEN CANCELLED"),
        (.tokenDeleted, 0x23, 0x09, "INVALID TOKEN OPERATION, TOKEN DELETED"),
        (.invalidTokenLength, 0x23, 0x0A, "INVALID TOKEN OPERATION, INVALID TOKEN LENGTH"),
        (.insufficientResourcesToCreateROD, 0x55, 0x0C, "INSUFFICIENT RESOURCES TO CREATE ROD"),
        (.insufficientResourcesToCreateRODToken, 0x55, 0x0D, "INSUFFICIENT RESOURCES TO CREATE ROD TOKEN"),
        (.insufficientResources, 0x55, 0x03, "INSUFFICIENT RESOURCES"),
        (.parameterListLengthError, 0x1A, 0x00, "PARAMETER LIST LENGTH ERROR"),
        (.invalidCommandOperationCode, 0x20, 0x00, "INVALID COMMAND OPERATION CODE"),
        (.lbaOutOfRange, 0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
        (.invalidFieldInCDB, 0x24, 0x00, "INVALID FIELD IN CDB"),
        (.operationInProgress, 0x00, 0x16, "OPERATION IN PROGRESS"),
        (.extendedCopyInformationAvailable, 0x00, 0x20, "EXTENDED COPY INFORMATION AVAILABLE"),
        (.copyCannotExecuteSinceHostCannotDisconnect, 0x2B, 0x00, "COPY CANNOT EXECUTE SINCE HOST CANNOT DISCONNECT"),
        (.logicalUnitCommunicationFailure, 0x08, 0x00, "LOGICAL UNIT COMMUNICATION FAILURE"),
        (.spaceAllocationFailedWriteProtect, 0x27, 0x07, "SPACE ALLOCATION FAILED WRITE PROTECT"),
        (.capacityDataHasChanged, 0x2A, 0x09, "CAPACITY DATA HAS CHANGED"),
        (.reportedLUNsDataHasChanged, 0x3F, 0x0E, "REPORTED LUNS DATA HAS CHANGED"),
    ] as [(AdditionalSense, UInt8, UInt8, String)])
    func copyAdditionalSenseCodes(sense: AdditionalSense, asc: UInt8, ascq: UInt8, name: String) {
        #expect(sense.code == asc && sense.qualifier == ascq)
        #expect(sense.name == name)
        #expect(sense.description == "\(name) (\(hexString([asc]).uppercased())/\(hexString([ascq]).uppercased()))")
    }

    @Test("Unknown and vendor-specific ASC/ASCQ pairs still describe themselves")
    func unknownAdditionalSense() {
        #expect(AdditionalSense(code: 0x0D, qualifier: 0x7F).name == nil)
        #expect(AdditionalSense(code: 0x0D, qualifier: 0x7F).description == "ASC/ASCQ 0D/7F")
        #expect(AdditionalSense(code: 0x99, qualifier: 0x02).description == "vendor specific (99/02)")
        #expect(AdditionalSense(code: 0x26, qualifier: 0x80).description == "vendor specific (26/80)")
    }

    // MARK: - Sense key specific

    @Test("Sense-key-specific field pointer and segment pointer bit layouts")
    func senseKeySpecificLayouts() {
        let fp = SenseKeySpecific.fieldPointer(inCDB: true, byte: 2, bit: 5)
        #expect(fp.bytes == [0x4D, 0x00, 0x02], "C/D bit 6, BPV bit 3, bit pointer 2-0")
        #expect(fp.commandData && fp.bitPointer == 5 && fp.pointerValue == 2)
        #expect(fp.describe(for: .illegalRequest) == "field pointer: CDB byte 2 bit 5")
        let pl = SenseKeySpecific.fieldPointer(inCDB: false, byte: 0x0123)
        #expect(pl.bytes == [0x00, 0x01, 0x23])
        #expect(pl.describe(for: .illegalRequest) == "field pointer: parameter list byte 291")
        let sp = SenseKeySpecific.segmentPointer(inSegmentDescriptor: true, byte: 0x1234, bit: 1)
        #expect(sp.bytes == [0x29, 0x12, 0x34], "SD bit 5, BPV bit 3")
        #expect(sp.segmentDescriptor && !sp.commandData && sp.bitPointer == 1)
        #expect(sp.describe(for: .copyAborted) == "segment pointer: segment descriptor byte 4660 bit 1")
        #expect(SenseKeySpecific(bytes: [0x80, 0x80, 0x00]).describe(for: .notReady) == "progress 50.0%")
        #expect(SenseKeySpecific(bytes: [0x80, 0x00, 0x00]).describe(for: .unitAttention) == nil)
        #expect(SenseKeySpecific(bytes: [0xFF, 0, 0]).bytes[0] == 0x7F, "SKSV is not stored")
    }

    // MARK: - Round trips

    @Test("encode(parse(x)) == x for fixed_sense.hex and descriptor_sense.hex")
    func byteExactRoundTrips() throws {
        for file in ["fixed_sense.hex", "descriptor_sense.hex"] {
            let b = try TestVectors.inhex(file)
            #expect(try SenseData(parsing: b).encoded() == b, "\(file)")
        }
    }

    @Test("forwarded_sense.hex: parse(encode(parse(x))) == parse(x) (the encoder reorders descriptors)")
    func forwardedRoundTrip() throws {
        let b = try TestVectors.inhex("forwarded_sense.hex")
        let s = try SenseData(parsing: b)
        let again = s.encoded()
        #expect(try SenseData(parsing: again) == s)
        #expect(again.count == b.count)
        #expect(Array(again[0..<8]) == Array(b[0..<8]))
    }

    @Test("Fixed format encoding: byte offsets per SPC-4 table 48")
    func fixedEncodingOffsets() throws {
        var s = SenseData(format: .fixed, deferred: true, key: .copyAborted, additionalSense: .copyTargetDeviceNotReachable,
                          information: 0xA1B2_C3D4, commandSpecificInformation: 0x0000_0002,
                          senseKeySpecific: .segmentPointer(inSegmentDescriptor: false, byte: 0x0010),
                          fieldReplaceableUnitCode: 0x5A)
        s.filemark = true
        s.incorrectLength = true
        let b = s.encoded()
        #expect(b == [0xF1, 0x00, 0xAA, 0xA1, 0xB2, 0xC3, 0xD4, 0x0A, 0x00, 0x00, 0x00, 0x02,
                      0x0D, 0x02, 0x5A, 0x80, 0x00, 0x10])
        #expect(try SenseData(parsing: b) == s)
        // 64-bit INFORMATION does not fit fixed format: the low 32 bits are sent (documented).
        let wide = SenseData(format: .fixed, key: .mediumError, additionalSense: .noAdditionalSenseInformation,
                             information: 0x1_0000_0005)
        #expect(try SenseData(parsing: wide.encoded()).information == 5)
    }

    @Test("Descriptor format encoding: byte offsets per SPC-4 4.5.2 and round trip")
    func descriptorEncodingOffsets() throws {
        // ILI travels in the block commands descriptor (05h): carried verbatim and read out.
        var s = SenseData(format: .descriptor, deferred: false, key: .copyAborted,
                          additionalSense: .copyTargetDeviceNotReachable, information: 0x0102_0304_0506_0708,
                          commandSpecificInformation: 9, senseKeySpecific: .segmentPointer(inSegmentDescriptor: true, byte: 4),
                          fieldReplaceableUnitCode: 0x33,
                          otherDescriptors: [SenseDescriptor(type: 0x05, bytes: [0x05, 0x02, 0x00, 0x20])],
                          forwarded: [ForwardedSense(truncated: true, source: .copySource, status: 0x02,
                                                     senseBytes: TestVectors.hex("70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00"))])
        s.incorrectLength = true
        let b = s.encoded()
        let expected = TestVectors.hex("""
            72 0a 0d 02 00 00 00 3e
            00 0a 80 00 01 02 03 04 05 06 07 08
            01 0a 00 00 00 00 00 00 00 00 00 09
            02 06 00 00 a0 00 04 00
            03 02 00 33
            0c 14 80 02 70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00
            05 02 00 20
            """)
        #expect(b == expected)
        let parsed = try SenseData(parsing: b)
        #expect(parsed == s)
        #expect(parsed.forwarded.first?.sense?.key == .mediumError)
        #expect(parsed.forwarded.first?.truncated == true)
    }

    @Test("Forwarded sense source codes: 0 = copy source, n = destination n-1")
    func forwardedSourceCodes() throws {
        for code in UInt8(0)...0x0B {
            let d: [UInt8] = [0x0C, 0x02, code, 0x00]
            let f = try ForwardedSense(parsing: d)
            #expect(f.source == (code == 0 ? .copySource : .copyDestination(Int(code) - 1)))
            #expect(f.encoded() == d)
            #expect(f.sense == nil)
        }
    }

    // MARK: - Hostile input

    @Test("Every truncation of every vector throws WireError or parses; fields appear only when complete",
          arguments: ["fixed_sense.hex", "descriptor_sense.hex", "forwarded_sense.hex", "ref_sense.hex"])
    func everyTruncation(file: String) throws {
        let full = try TestVectors.inhex(file)
        let complete = try SenseData(parsing: full)
        for length in 0..<full.count {
            let prefix = Array(full.prefix(length))
            let parsed: SenseData
            do {
                parsed = try SenseData(parsing: prefix)
            } catch is WireError {
                // Fixed format needs byte 2 (and bytes 3-6 with VALID); descriptor format byte 7.
                let minimum = complete.format == .fixed ? (full[0] & 0x80 != 0 ? 7 : 3) : 8
                #expect(length < minimum, "\(file): a \(length)-byte prefix threw although it holds the header")
                continue
            } catch {
                Issue.record("\(file): a \(length)-byte prefix threw a non-wire error \(error)")
                continue
            }
            #expect(parsed.key == complete.key, "\(file) prefix \(length)")
            if complete.format == .descriptor {
                // A descriptor is decoded only when all of it is present.
                #expect(parsed.information == nil || parsed.information == complete.information)
                #expect(parsed.fieldReplaceableUnitCode == nil || parsed.fieldReplaceableUnitCode == complete.fieldReplaceableUnitCode)
                #expect(parsed.forwarded.count <= complete.forwarded.count)
                #expect(complete.otherDescriptors.starts(with: parsed.otherDescriptors), "\(file) prefix \(length)")
            } else {
                #expect(parsed.additionalSense == (length >= 14 ? complete.additionalSense : .noAdditionalSenseInformation),
                        "\(file) prefix \(length)")
                #expect(parsed.senseKeySpecific == (length >= 18 ? complete.senseKeySpecific : nil), "\(file) prefix \(length)")
            }
        }
        // The information descriptor of descriptor_sense.hex spans bytes 8-19.
        if file == "descriptor_sense.hex" {
            #expect(try SenseData(parsing: Array(full.prefix(19))).information == nil)
            #expect(try SenseData(parsing: Array(full.prefix(20))).information == complete.information)
        }
    }

    @Test("ADDITIONAL SENSE LENGTH beyond the data, and a descriptor running past the end, end the walk")
    func overlongLengths() throws {
        var b = try TestVectors.inhex("descriptor_sense.hex")
        b[7] = 0xFF
        let s = try SenseData(parsing: b)
        #expect(s.information == 0x1122_3344_5566_77BB)
        #expect(s.otherDescriptors.map(\.type) == [0x0A, 0x05, 0x0B])
        // Make the referral descriptor (last, at offset 56) claim 0xF0 bytes: it is dropped.
        b[57] = 0xF0
        let t = try SenseData(parsing: b)
        #expect(t.otherDescriptors.map(\.type) == [0x0A, 0x05])
        // A forwarded descriptor claiming more than is there.
        var f = try TestVectors.inhex("forwarded_sense.hex")
        f[9] = 0x40
        let u = try SenseData(parsing: f)
        #expect(u.forwarded.isEmpty && u.information == nil, "the walk stops at the first overlong descriptor")
        // Fixed format whose additional length is 0: only bytes 0-7 count.
        var g = try TestVectors.inhex("fixed_sense.hex")
        g[7] = 0
        let v = try SenseData(parsing: g)
        #expect(v.additionalSense == .noAdditionalSenseInformation && v.fieldReplaceableUnitCode == nil && v.senseKeySpecific == nil)
        #expect(v.information == 0x1234, "INFORMATION is in the first 8 bytes")
    }

    @Test("Any response code other than 70h-73h (bit 7 aside) is rejected")
    func responseCodes() {
        for first in UInt8(0)...0xFF {
            var b = [UInt8](repeating: 0, count: 18)
            b[0] = first; b[2] = 0x05; b[7] = 10
            let valid = (0x70...0x73).contains(first & 0x7F)
            do {
                let s = try SenseData(parsing: b)
                #expect(valid, "response code \(hexByte(first)) was accepted")
                #expect(s.deferred == (first & 0x7F == 0x71 || first & 0x7F == 0x73))
            } catch let error as WireError {
                #expect(!valid, "response code \(hexByte(first)) rejected: \(error)")
                if case .invalidField = error {} else { Issue.record("response code \(hexByte(first)): \(error), expected invalidField") }
            } catch {
                Issue.record("non-wire error \(error)")
            }
        }
    }

    @Test("Random bytes behind each response code never trap the parser")
    func fuzz() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        var parsed = 0
        for i in 0..<4000 {
            let count = Int(next()) % 64
            var b = (0..<count).map { _ in next() }
            if !b.isEmpty { b[0] = [0x70, 0x71, 0x72, 0x73, 0xF0, 0xF2][i % 6] }
            if let s = try? SenseData(parsing: b) {
                parsed += 1
                _ = s.description
                _ = s.encoded()
                for f in s.forwarded { _ = f.sense }
            }
        }
        #expect(parsed > 3000, "most random images with a valid response code parse (\(parsed))")
    }

    @Test("flags set in code are encoded as 05h (ILI) or 04h (FILEMARK/EOM) descriptors")
    func flagsEncodeTheirDescriptors() throws {
        var ili = SenseData(format: .descriptor, key: .illegalRequest, additionalSense: .invalidFieldInCDB)
        ili.incorrectLength = true
        #expect(Array(ili.encoded().suffix(4)) == [0x05, 0x02, 0x00, 0x20])
        #expect(try SenseData(parsing: ili.encoded()).incorrectLength)
        var stream = SenseData(format: .descriptor, key: .mediumError, additionalSense: .noAdditionalSenseInformation)
        stream.filemark = true
        stream.endOfMedium = true
        #expect(Array(stream.encoded().suffix(4)) == [0x04, 0x02, 0x00, 0xC0])
        let back = try SenseData(parsing: stream.encoded())
        #expect(back.filemark && back.endOfMedium && !back.incorrectLength)
    }
}
