/// A small, strict XML reader for machine-written documents such as libvirt's domain XML:
/// elements, attributes, namespaces, text, entities and character references, CDATA, comments,
/// processing instructions and a DOCTYPE without internal subset. It needs no Foundation, so the
/// libvirt hook starts fast.
///
/// ```swift
/// let root = try XMLTree.parse(Array("<domain><name>vm</name></domain>".utf8))
/// root.child("name")?.text  // "vm"
/// ```
public struct XMLTree: Hashable, Sendable {
    /// The qualified name as written (`evmcsd:requirements`).
    public var name: String
    /// The name without prefix (`requirements`).
    public var localName: String
    /// The namespace the prefix (or the default namespace) is bound to.
    public var namespaceURI: String?
    /// Attributes by qualified name.
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLTree]
    /// The element's text (character data of its own, children excluded).
    public var text: String

    /// The first child element called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child element called `name`.
    public func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Parses a document and returns its root element.
    /// - Throws: ``XMLTreeError`` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8]) throws(XMLTreeError) -> XMLTree {
        var reader = XMLTreeReader(bytes)
        return try reader.document()
    }
}

/// Why a document is not (well-formed) XML, and where.
public struct XMLTreeError: Error, Sendable, CustomStringConvertible {
    /// The category of a failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"malformed"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Markup the XML grammar does not allow here (an unterminated construct, a mismatched end
        /// tag, content after the root element…).
        public static let malformed = Code(rawValue: "malformed")
        /// An entity reference XML does not predefine (the reader has no DTD to define others).
        public static let unknownEntity = Code(rawValue: "unknownEntity")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// What is wrong at ``offset``.
    public let message: String
    /// The byte offset at which the problem was detected.
    public let offset: Int
    /// The underlying error, when one led to the failure; the reader sets none.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - message: What is wrong.
    ///   - offset: The byte offset of the problem.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, _ message: String, offset: Int, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.cause = cause
    }

    /// `"<message> at byte <offset>"`.
    public var description: String { "\(message) at byte \(offset)" }
}

private struct XMLTreeReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLTreeError) -> XMLTree {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        try skipMisc()
        guard peek("<") else { throw fail("expected the root element") }
        let root = try element(namespaces: ["xml": "http://www.w3.org/XML/1998/namespace"])
        try skipMisc()
        guard position == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, comments, processing instructions and a DOCTYPE outside the root.
    mutating func skipMisc() throws(XMLTreeError) {
        while true {
            skipSpace()
            if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<!DOCTYPE") {
                try skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func element(namespaces inherited: [String: String]) throws(XMLTreeError) -> XMLTree {
        position += 1  // <
        let name = try xmlName()
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            if peek("/>") || peek(">") { break }
            let attribute = try xmlName()
            skipSpace()
            guard take("=") else { throw fail("expected = after attribute \(attribute)") }
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x22 || bytes[position] == 0x27 else {
                throw fail("expected a quoted value for attribute \(attribute)")
            }
            let quote = bytes[position]
            position += 1
            guard let end = bytes[position...].firstIndex(of: quote) else { throw fail("unterminated attribute value") }
            attributes[attribute] = try decode(bytes[position..<end])
            position = end + 1
        }
        var namespaces = inherited
        for (key, value) in attributes {
            if key == "xmlns" { namespaces[""] = value }
            if key.hasPrefix("xmlns:") { namespaces[String(key.dropFirst(6))] = value }
        }
        let (prefix, local) = Self.split(name)
        var node = XMLTree(
            name: name,
            localName: local,
            namespaceURI: namespaces[prefix],
            attributes: attributes,
            children: [],
            text: ""
        )
        if take("/>") { return node }
        position += 1  // >
        while true {
            guard position < bytes.count else { throw fail("unterminated element <\(name)>") }
            if peek("</") {
                position += 2
                let closing = try xmlName()
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                skipSpace()
                guard take(">") else { throw fail("expected > after </\(closing)") }
                return node
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                node.text += String(decoding: bytes[start..<(position - 3)], as: UTF8.self)
            } else if peek("<?") {
                try skip(past: "?>")
            } else if peek("<") {
                node.children.append(try element(namespaces: namespaces))
            } else {
                let end = bytes[position...].firstIndex(of: 0x3C) ?? bytes.count
                node.text += try decode(bytes[position..<end])
                position = end
            }
        }
    }

    static func split(_ name: String) -> (prefix: String, local: String) {
        guard let colon = name.firstIndex(of: ":") else { return ("", name) }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }

    mutating func xmlName() throws(XMLTreeError) -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            let delimiter = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x3D
                || byte == 0x3E || byte == 0x2F || byte == 0x3C || byte == 0x22 || byte == 0x27
            if delimiter { break }
            position += 1
        }
        guard position > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Text with entity and character references replaced.
    func decode(_ slice: ArraySlice<UInt8>) throws(XMLTreeError) -> String {
        guard slice.contains(0x26) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        var index = slice.startIndex
        while index < slice.endIndex {
            guard slice[index] == 0x26 else {
                out.append(slice[index])
                index += 1
                continue
            }
            guard let semicolon = slice[index...].firstIndex(of: 0x3B) else {
                throw XMLTreeError(.malformed, "unterminated entity reference", offset: index)
            }
            let entity = String(decoding: slice[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "amp": out.append(0x26)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                let number =
                    entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(1)) : nil
                guard let number, let scalar = Unicode.Scalar(number) else {
                    throw XMLTreeError(.unknownEntity, "unknown entity &\(entity);", offset: index)
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    func peek(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return text.withUTF8Buffer { pattern in
            (0..<count).allSatisfy { bytes[position + $0] == pattern[$0] }
        }
    }

    mutating func take(_ text: StaticString) -> Bool {
        guard peek(text) else { return false }
        position += text.utf8CodeUnitCount
        return true
    }

    mutating func skip(past text: StaticString) throws(XMLTreeError) {
        while position < bytes.count {
            if take(text) { return }
            position += 1
        }
        throw fail("unterminated construct (no \(text))")
    }

    func fail(_ message: String) -> XMLTreeError { XMLTreeError(.malformed, message, offset: position) }
}
