import JSONCore

extension JSONRPCResult {
    /// A result that is one JSON object, written member by member by `body`.
    ///
    /// - Parameter body: Writes the members.
    /// - Throws: What `body` throws.
    public init(object body: (inout JSONObjectWriter) throws -> Void) rethrows {
        var text: [UInt8] = []
        text.reserveCapacity(1024)
        var object = JSONObjectWriter(text: text)
        try body(&object)
        self.init(encodedText: object.finish())
    }
}
