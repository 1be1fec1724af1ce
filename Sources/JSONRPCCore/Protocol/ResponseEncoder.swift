import NIOCore

/// Writes JSON-RPC response and notification objects.
package enum ResponseEncoder {
    /// `{"jsonrpc":"2.0","id":…,"result":…}` or `…,"error":{…}}`, without a line feed. A missing id is `null`.
    package static func writeResponse(
        id: JSONRPCID?,
        outcome: Result<JSONRPCResult, JSONRPCError>,
        to buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString(#"{"jsonrpc":"2.0","id":"#)
        if let id {
            buffer.writeString(id.jsonText)
        } else {
            buffer.writeStaticString("null")
        }
        switch outcome {
        case .success(let result):
            buffer.writeStaticString(#","result":"#)
            result.write(to: &buffer)
        case .failure(let error):
            buffer.writeStaticString(#","error":"#)
            self.writeError(error, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// Bytes to reserve for a response line, so that a pre-encoded result (a cached answer of several kilobytes)
    /// is copied into the buffer once instead of growing it step by step.
    package static func lineLengthHint(id: JSONRPCID?, outcome: Result<JSONRPCResult, JSONRPCError>) -> Int {
        // `{"jsonrpc":"2.0","id":` `,"result":` `}` and the line feed are 34 bytes; 48 leaves room for
        // `,"error":`. A result written from a value, or an error object, grows the buffer as it goes.
        let envelope = 48 + (id?.jsonText.utf8.count ?? 4)
        switch outcome {
        case .success(let result): return envelope + (result.encodedLength ?? 64)
        case .failure: return envelope + 128
        }
    }

    /// A complete response line.
    package static func responseLine(
        id: JSONRPCID?,
        outcome: Result<JSONRPCResult, JSONRPCError>,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: self.lineLengthHint(id: id, outcome: outcome))
        self.writeResponse(id: id, outcome: outcome, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    /// A complete notification line: `{"jsonrpc":"2.0","method":…,"params":…}`.
    package static func notificationLine(method: String, params: JSONRPCResult?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeStaticString(#"{"jsonrpc":"2.0","method":"#)
        writeJSONString(method, to: &buffer)
        if let params {
            buffer.writeStaticString(#","params":"#)
            params.write(to: &buffer)
        }
        buffer.writeStaticString("}\n")
        return buffer
    }

    /// One batch response line from its elements in order; `nil` when no element produced a response.
    package static func batchLine(_ elements: [ByteBuffer?], allocator: ByteBufferAllocator) -> ByteBuffer? {
        let present = elements.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        var buffer = allocator.buffer(capacity: present.reduce(3) { $0 + $1.readableBytes + 1 })
        buffer.writeInteger(UInt8(ascii: "["))
        for (position, element) in present.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeImmutableBuffer(element)
        }
        buffer.writeStaticString("]\n")
        return buffer
    }

    private static func writeError(_ error: JSONRPCError, to buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"code":"#)
        buffer.writeString(String(error.code.rawValue))
        buffer.writeStaticString(#","message":"#)
        writeJSONString(error.message, to: &buffer)
        if let data = error.data {
            buffer.writeStaticString(#","data":"#)
            data.write(to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }
}
