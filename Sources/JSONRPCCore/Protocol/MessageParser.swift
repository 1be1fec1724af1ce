import Glibc

/// One request object of a line, as far as it could be understood.
package enum ParsedRequest {
    /// A well-formed request or notification.
    case request(JSONRPCRequest)
    /// Not a valid request object; answered with `error` and `id` (or `null`).
    case invalid(JSONRPCError, id: JSONRPCID?)
}

/// One line of input, classified.
package enum ParsedLine {
    /// Only whitespace: ignored.
    case blank
    /// A single request object (or another JSON value, which is an invalid request).
    case single(ParsedRequest)
    /// A non-empty batch within the size limit.
    case batch([ParsedRequest])
    /// Answered with this one error and id `null`: invalid JSON, an empty batch, a batch over the limit.
    case failure(JSONRPCError)
}

/// Reads JSON-RPC messages from one line in a single pass: validates the whole text, extracts `jsonrpc`, `method`
/// and `id`, and parses `params` into a tree that handlers decode (never parsed again).
package struct MessageParser: Sendable {
    let maximumDepth: Int
    let maximumBatchSize: Int

    package func parse(_ line: UnsafeRawBufferPointer) -> ParsedLine {
        var scanner = JSONScanner(bytes: line, maximumDepth: self.maximumDepth)
        scanner.skipWhitespace()
        guard let first = scanner.peek() else { return .blank }
        do {
            let parsed: ParsedLine
            switch first {
            case UInt8(ascii: "{"):
                parsed = .single(try self.parseRequest(&scanner, depth: 0))
            case UInt8(ascii: "["):
                parsed = try self.parseBatch(&scanner)
            default:
                try scanner.skipValue(depth: 0)
                parsed = .single(.invalid(.invalidRequest(reason: "expected a request object or a batch"), id: nil))
            }
            try scanner.expectEnd()
            return parsed
        } catch {
            return .failure(.parseError(error))
        }
    }

    private func parseBatch(_ scanner: inout JSONScanner) throws(JSONParseError) -> ParsedLine {
        guard try scanner.enterContainer(isObject: false, depth: 0) else {
            return .failure(.invalidRequest(reason: "empty batch"))
        }
        var elements: [ParsedRequest] = []
        var count = 0
        repeat {
            count += 1
            if count > self.maximumBatchSize {
                try scanner.skipValue(depth: 1)
            } else if scanner.peek() == UInt8(ascii: "{") {
                elements.append(try self.parseRequest(&scanner, depth: 1))
            } else {
                try scanner.skipValue(depth: 1)
                elements.append(.invalid(.invalidRequest(reason: "batch element is not an object"), id: nil))
            }
        } while try scanner.continueContainer(isObject: false)
        if count > self.maximumBatchSize { return .failure(.batchTooLarge(limit: self.maximumBatchSize)) }
        return .batch(elements)
    }

    /// Reads a request object at `scanner.index` (which holds `{`).
    private func parseRequest(_ scanner: inout JSONScanner, depth: Int) throws(JSONParseError) -> ParsedRequest {
        var fields = RequestFields()
        guard try scanner.enterContainer(isObject: true, depth: depth) else { return fields.validated() }
        repeat {
            let key = try scanner.parseMemberKey(RequestMember.init(utf8:))
            scanner.skipWhitespace()
            try fields.read(key: key, from: &scanner, depth: depth + 1)
        } while try scanner.continueContainer(isObject: true)
        return fields.validated()
    }
}

/// A member name of a request object: one of the protocol's four, or another (which makes the request invalid).
private enum RequestMember: Equatable {
    case jsonrpc, method, id, params
    case other(String)

    /// The member named by these UTF-8 bytes; only another member's name becomes a `String`.
    init(utf8 name: UnsafeRawBufferPointer) {
        if name.holds("jsonrpc") {
            self = .jsonrpc
        } else if name.holds("method") {
            self = .method
        } else if name.holds("id") {
            self = .id
        } else if name.holds("params") {
            self = .params
        } else {
            self = .other(String(decoding: name, as: UTF8.self))
        }
    }

    /// The member's name.
    var name: String {
        switch self {
        case .jsonrpc: "jsonrpc"
        case .method: "method"
        case .id: "id"
        case .params: "params"
        case .other(let name): name
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes are exactly `text`'s.
    fileprivate func holds(_ text: StaticString) -> Bool {
        self.count == text.utf8CodeUnitCount && (self.count == 0 || memcmp(self.baseAddress!, text.utf8Start, self.count) == 0)
    }
}

/// The members of one request object, collected while scanning it.
private struct RequestFields {
    /// The protocol's members seen so far, one bit each (no array to allocate for a plain request).
    private var protocolMembersSeen: UInt8 = 0
    /// The other members seen so far (an invalid request).
    private var otherNames: [String] = []
    /// The first duplicate member, as its path from the request object.
    private var duplicate: [String]?
    /// Whether `id` appeared more than once: then no id can be echoed.
    private var idIsAmbiguous = false
    private var versionIsValid = false
    private var method: String?
    private var methodIsInvalid = false
    private var id: JSONRPCID?
    private var idIsInvalid = false
    private var params: JSONValue?
    private var paramsAreInvalid = false

    mutating func read(key: RequestMember, from scanner: inout JSONScanner, depth: Int) throws(JSONParseError) {
        if self.isRepeated(key) {
            self.duplicate = self.duplicate ?? [key.name]
            if key == .id { self.idIsAmbiguous = true }
        }
        let start = scanner.index
        switch (key, scanner.peek() ?? 0) {
        case (.jsonrpc, UInt8(ascii: "\"")):
            self.versionIsValid = try scanner.parseString { $0.holds("2.0") }
        case (.method, UInt8(ascii: "\"")):
            self.method = try scanner.parseString()
        case (.id, UInt8(ascii: "\"")):
            let value = JSONValue.string(try scanner.parseString())
            self.id = JSONRPCID(value: value, jsonText: scanner.text(start..<scanner.index))
        case (.id, UInt8(ascii: "-")), (.id, UInt8(ascii: "0")...UInt8(ascii: "9")):
            let text = scanner.text(try scanner.scanNumber())
            self.id = JSONRPCID(value: .number(JSONNumber(uncheckedText: text)), jsonText: text)
        case (.id, UInt8(ascii: "n")):
            try scanner.expectLiteral("null")
            self.id = JSONRPCID(value: .null, jsonText: "null")
        case (.params, UInt8(ascii: "{")), (.params, UInt8(ascii: "[")):
            // Parsed here, once: handlers decode the tree. Duplicates inside params are the method's -32602
            // (JSONRPCRequest.decodeParams).
            self.params = try scanner.parseValue(depth: depth)
        case (_, UInt8(ascii: "{")), (_, UInt8(ascii: "[")):
            // An unknown member (or a mistyped one) holding a container: look inside for duplicates too.
            let value = try scanner.parseValue(depth: depth)
            if self.duplicate == nil, let inner = value.firstDuplicateMember { self.duplicate = [key.name] + inner.path }
            self.markInvalid(key)
        default:
            try scanner.skipValue(depth: depth)
            self.markInvalid(key)
        }
    }

    /// Records `key` as seen: `true` if it was seen before.
    private mutating func isRepeated(_ key: RequestMember) -> Bool {
        let bit: UInt8
        switch key {
        case .jsonrpc: bit = 1
        case .method: bit = 2
        case .id: bit = 4
        case .params: bit = 8
        case .other(let name):
            if self.otherNames.contains(name) { return true }
            self.otherNames.append(name)
            return false
        }
        defer { self.protocolMembersSeen |= bit }
        return self.protocolMembersSeen & bit != 0
    }

    /// Records that member `key` has a value of the wrong type (nothing for an unknown member).
    private mutating func markInvalid(_ key: RequestMember) {
        switch key {
        case .jsonrpc: self.versionIsValid = false
        case .method: self.methodIsInvalid = true
        case .id: self.idIsInvalid = true
        case .params: self.paramsAreInvalid = true
        case .other: break
        }
    }

    func validated() -> ParsedRequest {
        let id = self.idIsInvalid || self.idIsAmbiguous ? nil : self.id
        let problem: String
        if let duplicate {
            return .invalid(
                .invalidRequest(field: duplicate.joined(separator: "."), reason: "duplicate member \"\(duplicate.last ?? "")\""),
                id: id
            )
        } else if !self.versionIsValid {
            problem = "\"jsonrpc\" must be \"2.0\""
        } else if self.idIsInvalid {
            problem = "\"id\" must be a string, a number or null"
        } else if self.methodIsInvalid {
            problem = "\"method\" must be a string"
        } else if self.paramsAreInvalid {
            problem = "\"params\" must be an array or an object"
        } else if let method {
            return .request(JSONRPCRequest(method: method, id: id, params: self.params))
        } else {
            problem = "missing \"method\""
        }
        return .invalid(.invalidRequest(reason: problem), id: id)
    }
}
