import Testing
import SCSIWire

@Suite struct RODTokenTests {
    typealias S = CopyTestSupport

    /// Block-device device-type-specific data as CTL writes it: READ CAPACITY(16) bytes 8-31
    /// (block length 512, LBPPBE 3, LBPME|LBPRZ) and 8 zero bytes.
    static let deviceTypeSpecific: [UInt8] = [0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0xC0, 0x00]
        + [UInt8](repeating: 0, count: 24)

    /// The port's target device designator: an iSCSI name, SCSI name string, target device.
    static let targetName = Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: .targetDevice,
                                       type: .scsiNameString, value: Array("iqn.2005-10.org.freebsd.ctl:t\0\0\0".utf8))

    static let fill = S.pseudoRandom(count: 384 - 36)

    /// A token shaped like FreeBSD tpc_create_token()'s (targets.md §5.4 / §11.6).
    static var ctlStyle: RODToken {
        get throws {
            try RODToken(rodType: .accessUponReference, copyManagerRODTokenIdentifier: 7,
                         creator: IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaSourceValue), diskBlockLength: 512),
                         numberOfBytesRepresented: 0x2000 * 512, deviceTypeSpecific: deviceTypeSpecific,
                         targetDeviceDescriptor: targetName, fill: fill)
        }
    }

    @Test func ctlStyleTokenLayout() throws {
        // Offsets from targets.md §11.6 / §5.4 (derived, not a captured token).
        let token = try Self.ctlStyle
        let b = try token.encoded()
        #expect(b.count == 512)
        #expect(Array(b[0..<4]) == [0x00, 0x01, 0x00, 0x00])                     // ROD type AUR
        #expect(Array(b[4..<6]) == [0, 0])                                         // reserved
        #expect(Array(b[6..<8]) == [0x01, 0xF8])                                   // token length 504
        #expect(Array(b[8..<16]) == [0, 0, 0, 0, 0, 0, 0, 7])                     // token identifier
        #expect(Array(b[16..<48]) == S.e4NAAVector(S.naaSourceValue))             // creator CSCD
        #expect(b[16] == 0xE4 && b[23] == 0x10 && Array(b[45..<48]) == [0x00, 0x02, 0x00])
        #expect(Array(b[48..<56]) == [0, 0, 0, 0, 0, 0, 0, 0])                    // bytes represented, high
        #expect(Array(b[56..<64]) == [0, 0, 0, 0, 0x00, 0x40, 0x00, 0x00])        // low: 4 MiB
        #expect(Array(b[64..<96]) == [UInt8](repeating: 0, count: 32))            // ROD-type-specific
        #expect(Array(b[96..<128]) == Self.deviceTypeSpecific)                     // RC16 bytes 8-31
        #expect(Array(b[128..<132]) == [0x53, 0xA8, 0x00, 0x20])                   // target device descriptor header
        #expect(Array(b[132..<164]) == Self.targetName.value)
        #expect(Array(b[164..<512]) == Self.fill)                                  // random part

        let parsed = try RODToken(parsing: b)
        #expect(parsed == token)
        #expect(parsed.rodType == .accessUponReference)
        #expect(parsed.rodTokenLength == 504)
        #expect(parsed.copyManagerRODTokenIdentifier == 7)
        #expect(parsed.creatorLogicalUnit == IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaSourceValue), diskBlockLength: 512))
        #expect(parsed.numberOfBytesRepresented == 0x40_0000)
        #expect(parsed.logicalBlockLength == 512)
        #expect(parsed.targetDeviceDescriptor == Self.targetName)
    }

    @Test func blockDeviceZeroToken() throws {
        // ddpt builds it: type 0xFFFF0001, length 0x1F8, everything else zero.
        let b = try RODToken.blockDeviceZero.encoded()
        #expect(b.count == 512)
        #expect(Array(b[0..<8]) == [0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x01, 0xF8])
        #expect(Array(b[8...]) == [UInt8](repeating: 0, count: 504))
        let parsed = try RODToken(parsing: b)
        #expect(parsed == .blockDeviceZero)
        #expect(parsed.rodType == .blockDeviceZero)
        #expect(parsed.creatorLogicalUnit == nil)
        #expect(parsed.targetDeviceDescriptor == nil)
        #expect(parsed.numberOfBytesRepresented == 0)
    }

    @Test func opaqueTokensRoundTripBitForBit() throws {
        // Vendor tokens must be echoed exactly: random content, reserved bytes included.
        for seed in [UInt64(1), 2, 3, 0xC0FFEE] {
            let random = S.pseudoRandom(count: 512, seed: seed)
            let token = try RODToken(parsing: random)
            #expect(try token.encoded() == random)
            #expect(try RODToken(parsing: token.encoded()) == token)
        }
    }

    @Test func numberOfBytesRepresentedSaturates() throws {
        var token = RODToken.blockDeviceZero
        token.numberOfBytesRepresentedLow = 12345
        #expect(token.numberOfBytesRepresented == 12345)
        token.numberOfBytesRepresentedHigh = 1
        #expect(token.numberOfBytesRepresented == UInt64.max)
        let b = try token.encoded()
        #expect(Array(b[48..<64]) == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x30, 0x39])
    }

    @Test func targetDeviceDescriptorRunningPastTheTokenIsIgnored() throws {
        var b = try RODToken.blockDeviceZero.encoded()
        b[131] = 0xFF // 255 bytes declared, 380 available: fine
        #expect(try RODToken(parsing: b).targetDeviceDescriptor?.value.count == 255)
        var token = try RODToken(parsing: b)
        token.trailingData = Array(token.trailingData.prefix(100))
        #expect(token.targetDeviceDescriptor == nil)
    }

    @Test func shortFieldsArePaddedLongOnesThrow() throws {
        let short = RODToken(rodType: .accessUponReference, copyManagerRODTokenIdentifier: 1,
                             creatorLogicalUnitDescriptor: [], numberOfBytesRepresentedLow: 0,
                             rodTypeSpecific: [], deviceTypeSpecific: [1], trailingData: [])
        let b = try short.encoded()
        #expect(b.count == 512)
        #expect(b[96] == 1)
        var long = short
        long.creatorLogicalUnitDescriptor = [UInt8](repeating: 0, count: 33)
        S.expectOutOfRange { try long.encoded() }
        long = short
        long.trailingData = [UInt8](repeating: 0, count: 385)
        S.expectOutOfRange { try long.encoded() }
        S.expectOutOfRange {
            try RODToken(rodType: .accessUponReference, copyManagerRODTokenIdentifier: 0, creator: nil,
                         numberOfBytesRepresented: 0, fill: [UInt8](repeating: 0, count: 385))
        }
        S.expectOutOfRange {
            try RODToken(rodType: .accessUponReference, copyManagerRODTokenIdentifier: 0, creator: nil,
                         numberOfBytesRepresented: 0, deviceTypeSpecific: [UInt8](repeating: 0, count: 33))
        }
    }

    @Test func roundTrips() throws {
        let token = try Self.ctlStyle
        #expect(try RODToken(parsing: token.encoded()) == token)
        let b = try token.encoded()
        #expect(try RODToken(parsing: b).encoded() == b)
        // Only the first 512 bytes are read.
        #expect(try RODToken(parsing: b + [1, 2, 3]) == token)
    }

    @Test func truncatedInputThrows() throws {
        S.expectTruncatedForEveryPrefix(try Self.ctlStyle.encoded()) { try RODToken(parsing: $0) }
    }
}
