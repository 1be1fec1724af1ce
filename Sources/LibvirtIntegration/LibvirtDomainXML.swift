import CodedErrors

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
public typealias LibvirtError = CodedError<LibvirtErrorCode>

/// The category of a ``LibvirtError``.
public enum LibvirtErrorCode: String, ErrorCode {
    /// The input could not be read (standard input failed or is too large for a domain XML).
    case unreadable

    /// The input is not well-formed XML; the cause is the `XMLTreeError`.
    case notXML

    /// The XML's root element is not `<domain>`.
    case notADomain

    /// evmcsd's `<metadata>` element holds no valid requirements document; the cause is the
    /// `DocumentError`.
    case invalidMetadata

    /// `<cpu>` gives no VMX values: an unknown mode, a missing model, unknown features, or a
    /// host-passthrough CPU without the source host's profile; the cause is the `QEMUCPUError`
    /// when the QEMU model rejected it.
    case unsupportedCPU
}

extension String {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
