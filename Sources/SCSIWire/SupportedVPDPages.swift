/// VPD page 0x00: which pages the LU will answer. Absent pages are not asked for, so a target
/// that rejects unknown pages with a CHECK CONDITION is never provoked needlessly.
public struct SupportedVPDPages: Equatable, Sendable {
    public var pages: [VPDPageCode]
    public init(pages: [VPDPageCode]) { self.pages = pages }

    public init(parsing b: [UInt8]) throws {
        let (_, body) = try VPDPageHeader.body(of: b, expecting: .supportedPages)
        pages = body.map(VPDPageCode.init(rawValue:))
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        VPDPageHeader.encode(.supportedPages, deviceType: deviceType, body: pages.map(\.rawValue))
    }
}
