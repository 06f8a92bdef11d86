/// How a range was (or is to be) copied.
public enum CopyMethod: String, Sendable, Hashable, CaseIterable {
    /// EXTENDED COPY (LID1): the array copies segment by segment.
    case xcopy
    /// POPULATE TOKEN + WRITE USING TOKEN: the array copies what a token represents.
    case odx
    /// READ and WRITE through this host.
    case host
}
