import SCSIWire

/// How the array's LUs take a profile's personality: INQUIRY text, the 3PC bit and VPD pages
/// through their options, VPD 0x83 through their identity.
extension ArrayProfile {
    /// Sets what the profile decides and leaves the rest (capacity-related limits,
    /// provisioning, write protection) alone.
    public func apply(to options: inout LogicalUnitOptions) {
        options.vendor = inquiry.vendor
        options.product = inquiry.product
        options.revision = inquiry.revision
        options.thirdPartyCopy = inquiry.thirdPartyCopy
        options.vpdPages = vpdPages
    }

    /// Default options with the profile applied.
    public var logicalUnitOptions: LogicalUnitOptions {
        var o = LogicalUnitOptions()
        apply(to: &o)
        return o
    }

    /// The T10 vendor ID new identities carry: the profile's, else the INQUIRY vendor.
    public var t10VendorID: String { identity.t10VendorID ?? inquiry.vendor }

    /// Keeps the LU's NAA, EUI-64 and serial (initiators know them) and changes which of them
    /// VPD 0x83 shows, and the T10 vendor ID.
    public func apply(to identity: inout LogicalUnitIdentity) {
        identity.exposedDesignators = self.identity.designators
        identity.t10VendorID = t10VendorID
    }

    /// A fresh identity under the profile's company ID (else `companyID`), exposing what the
    /// profile says.
    public func makeIdentity(companyID: UInt32 = LogicalUnitIdentity.defaultCompanyID) -> LogicalUnitIdentity {
        LogicalUnitIdentity.generate(companyID: identity.companyID ?? companyID, t10VendorID: t10VendorID,
                                     exposing: identity.designators)
    }

    /// Creates a LU with this personality (identity, options) in `array`; `options` supplies
    /// everything the profile does not decide.
    @discardableResult
    public func createLogicalUnit(in array: SimulatedArray, lun: UInt64, blockSize: Int = 512, blockCount: UInt64,
                                  options: LogicalUnitOptions = LogicalUnitOptions()) throws -> LogicalUnit {
        var o = options
        apply(to: &o)
        return try array.createLogicalUnit(lun: lun, blockSize: blockSize, blockCount: blockCount, options: o,
                                           identity: makeIdentity(companyID: array.companyID))
    }

    /// Gives every LU already in `array` the profile's options (and persists them). Their
    /// identities cannot change in place; re-create a LU to change what VPD 0x83 shows.
    public func apply(to array: SimulatedArray) throws {
        for lun in array.luns {
            try array.updateOptions(lun: lun) { apply(to: &$0) }
        }
    }
}
