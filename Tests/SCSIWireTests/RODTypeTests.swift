import Testing
import SCSIWire

@Suite struct RODTypeTests {
    @Test func namedValuesMatchTheStandard() {
        // targets.md §11.6 ROD type table.
        #expect(RODType.copyManagerInternal.rawValue == 0x0000_0000)
        #expect(RODType.accessUponReference.rawValue == 0x0001_0000)
        #expect(RODType.pointInTimeDefault.rawValue == 0x0080_0000)
        #expect(RODType.pointInTimeChangeVulnerable.rawValue == 0x0080_0001)
        #expect(RODType.pointInTimePersistent.rawValue == 0x0080_0002)
        #expect(RODType.pointInTimeCopyOnWrite.rawValue == 0x0080_0003)
        #expect(RODType.pointInTimeAny.rawValue == 0x0080_FFFF)
        #expect(RODType.blockDeviceZero.rawValue == 0xFFFF_0001)
    }

    @Test func semanticsPredicates() {
        for pit in [RODType.pointInTimeDefault, .pointInTimeChangeVulnerable, .pointInTimePersistent,
                    .pointInTimeCopyOnWrite, .pointInTimeAny] {
            #expect(pit.isPointInTime)
            #expect(!pit.isAccessUponReference)
        }
        #expect(RODType.accessUponReference.isAccessUponReference)
        #expect(!RODType.accessUponReference.isPointInTime)
        #expect(!RODType(rawValue: 0x0081_0000).isPointInTime)
        #expect(!RODType(rawValue: 0x007F_FFFF).isPointInTime)
        #expect(!RODType.blockDeviceZero.isPointInTime && !RODType.blockDeviceZero.isAccessUponReference)
        #expect(RODType(rawValue: 0xFFFF_FFF0).isVendorSpecific)
        #expect(!RODType.blockDeviceZero.isVendorSpecific)
    }

    @Test func descriptions() {
        #expect(RODType.accessUponReference.description == "access upon reference")
        #expect(RODType.blockDeviceZero.description == "block device zero ROD")
        #expect(RODType(rawValue: 0xFFFF_FFF3).description == "vendor specific ROD type 0xFFFFFFF3")
        #expect(RODType(rawValue: 0x0080_0010).description == "point in time (reserved) 0x00800010")
        #expect(RODType(rawValue: 0x0002_0000).description == "ROD type 0x00020000")
    }
}
