/// The parts of a libvirt domain XML that give a VM's VMX requirements.
public struct LibvirtDomainXML: Sendable {
    /// The namespace of evmcsd's element inside `<metadata>` (Docs/integration.md).
    public static let namespace = "urn:evmcsd:vm-requirements:1"
    /// The element's local name; `virsh metadata --key evmcsd` gives it the `evmcsd:` prefix.
    public static let elementName = "requirements"

    public var name: String?
    public var uuid: String?
    /// `<cpu mode=…>`: `custom` (also when absent), `host-model`, `host-passthrough`, `maximum`.
    public var cpuMode: String
    /// `<cpu><model>`.
    public var model: String?
    /// `<cpu><feature policy=… name=…/>` in document order.
    public var features: [Feature]
    /// `<features><hyperv mode=…>`: `custom` (default) or `passthrough`; `nil` without `<hyperv>`.
    public var hypervMode: String?
    /// `<hyperv>` children with their `state`: `evmcs` → true…
    public var hyperv: [String: Bool]
    /// The text of evmcsd's metadata element: a requirements document.
    public var metadataRequirements: String?

    /// One `<cpu><feature/>`.
    public struct Feature: Hashable, Sendable {
        public var policy: String
        public var name: String
    }

    /// Parses domain XML.
    /// - Parameter source: names the input in messages (`domain.xml`, `standard input`).
    /// - Throws: ``LibvirtError`` for input that is not XML or not a libvirt domain.
    public init(xml: [UInt8], source: String) throws(LibvirtError) {
        let domain: XMLTree
        do {
            domain = try XMLTree.parse(xml)
        } catch {
            throw LibvirtError(.notXML, "\(source): not XML: \(error)", cause: error)
        }
        guard domain.name == "domain" else {
            throw LibvirtError(
                .notADomain,
                "\(source): not a libvirt domain (the root element is <\(domain.name)>, not <domain>)"
            )
        }
        name = domain.child("name")?.text
        uuid = domain.child("uuid")?.text
        let cpu = domain.child("cpu")
        cpuMode = cpu?.attributes["mode"] ?? "custom"
        model = cpu?.child("model")?.text.trimmingWhitespace
        features = (cpu?.children("feature") ?? []).compactMap { element in
            element.attributes["name"].map { Feature(policy: element.attributes["policy"] ?? "require", name: $0) }
        }
        let hypervElement = domain.child("features")?.child("hyperv")
        hypervMode = hypervElement.map { $0.attributes["mode"] ?? "custom" }
        var enlightenments: [String: Bool] = [:]
        for element in hypervElement?.children ?? [] { enlightenments[element.localName] = element.attributes["state"] == "on" }
        hyperv = enlightenments
        metadataRequirements = domain.child("metadata")?.children
            .first { $0.namespaceURI == Self.namespace && $0.localName == Self.elementName }?.text
    }
}

/// Why a libvirt domain gives no requirements; the message names the input.
///
/// Equatable and Hashable over ``code`` and ``message``; ``cause`` is not compared.
public struct LibvirtError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"notXML"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The input could not be read (standard input failed or is too large for a domain XML).
        public static let unreadable = Code(rawValue: "unreadable")
        /// The input is not well-formed XML; the cause is the `XMLTreeError`.
        public static let notXML = Code(rawValue: "notXML")
        /// The XML's root element is not `<domain>`.
        public static let notADomain = Code(rawValue: "notADomain")
        /// evmcsd's `<metadata>` element holds no valid requirements document; the cause is the
        /// `DocumentError`.
        public static let invalidMetadata = Code(rawValue: "invalidMetadata")
        /// `<cpu>` gives no VMX values: an unknown mode, a missing model, unknown features, or a
        /// host-passthrough CPU without the source host's profile; the cause is the `QEMUCPUError`
        /// when the QEMU model rejected it.
        public static let unsupportedCPU = Code(rawValue: "unsupportedCPU")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// One line for humans, starting with the input's name (`domain XML: …`).
    public let message: String
    /// The XML, document or QEMU CPU error underneath, when there is one.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - message: One line for humans, naming the input.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Whether two errors have the same code and message; ``cause`` is not compared.
    public static func == (lhs: LibvirtError, rhs: LibvirtError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes ``code`` and ``message``, the parts ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    /// The message.
    public var description: String { message }
}

extension String {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
