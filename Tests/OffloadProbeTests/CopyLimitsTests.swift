@testable import OffloadProbe
import SCSIWire
import Testing

/// Limits merge RCOP (the copy manager's live answer) over VPD 0x8F, and a reported 0 in a
/// maximum means "not reported", never "zero allowed".
@Suite struct CopyLimitsTests {
    static let lioRCOP = ReceiveCopyOperatingParameters(
        snlid: true, maximumCSCDDescriptorCount: 2, maximumSegmentDescriptorCount: 1, maximumDescriptorListLength: 1024,
        maximumSegmentLength: 268_435_456, maximumInlineDataLength: 0, heldDataLimit: 0, maximumStreamDeviceTransferSize: 0,
        totalConcurrentCopies: 1, maximumConcurrentCopies: 1, dataSegmentGranularityLog2: 9, inlineDataGranularityLog2: 9,
        heldDataGranularityLog2: 9, implementedDescriptorTypeCodes: [.blockToBlock, .identification])

    @Test func rcopAlone() {
        let l = CopyLimits(rcop: Self.lioRCOP, page: nil)
        #expect(l.maxCSCDDescriptors == 2)
        #expect(l.maxSegmentDescriptors == 1)
        #expect(l.maxDescriptorListLength == 1024)
        #expect(l.maxSegmentLength == 268_435_456)
        #expect(l.implementedDescriptors == [0x02, 0xE4])
        #expect(l.source == "RECEIVE COPY OPERATING PARAMETERS")
    }

    @Test func zeroMeansNotReported() {
        var rcop = Self.lioRCOP
        rcop.maximumSegmentLength = 0
        rcop.maximumConcurrentCopies = 0
        let l = CopyLimits(rcop: rcop, page: nil)
        #expect(l.maxSegmentLength == nil)
        #expect(l.maxConcurrentCopies == nil)
    }

    @Test func pageFillsWhatRCOPLacks() {
        let page = ThirdPartyCopyPage(descriptors: [
            .parameterData(CopyParameterData(maximumCSCDDescriptorCount: 64, maximumSegmentDescriptorCount: 64,
                                             maximumDescriptorListLength: 8192, maximumInlineDataLength: 0)),
            .generalCopyOperations(GeneralCopyOperations(totalConcurrentCopies: 255, maximumIdentifiedConcurrentCopies: 255,
                                                         maximumSegmentLength: 0, dataSegmentGranularityLog2: 0, inlineDataGranularityLog2: 0)),
            .supportedDescriptors([0x02, 0xE4]),
        ])
        let l = CopyLimits(rcop: nil, page: page)
        #expect(l.maxCSCDDescriptors == 64)
        #expect(l.maxDescriptorListLength == 8192)
        #expect(l.maxSegmentLength == nil)
        #expect(l.maxConcurrentCopies == 255)
        #expect(l.source == "VPD 0x8F")
        // With both, RCOP wins field by field.
        #expect(CopyLimits(rcop: Self.lioRCOP, page: page).maxCSCDDescriptors == 2)
    }
}
