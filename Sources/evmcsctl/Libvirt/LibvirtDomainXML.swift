import Foundation
import FoundationXML

/// The parts of a libvirt domain XML that give a VM's VMX requirements.
struct LibvirtDomainXML {
    /// The namespace of evmcsd's element inside `<metadata>` (Docs/integration.md).
    static let namespace = "urn:evmcsd:vm-requirements:1"
    /// The element's local name; `virsh metadata --key evmcsd` gives it the `evmcsd:` prefix.
    static let elementName = "requirements"

    var name: String?
    var uuid: String?
    /// `<cpu mode=…>`: `custom` (also when absent), `host-model`, `host-passthrough`, `maximum`.
    var cpuMode: String
    /// `<cpu><model>`.
    var model: String?
    /// `<cpu><feature policy=… name=…/>` in document order.
    var features: [(policy: String, name: String)]
    /// `<features><hyperv mode=…>`: `custom` (default) or `passthrough`; `nil` without `<hyperv>`.
    var hypervMode: String?
    /// `<hyperv>` children with their `state`: `evmcs` → true…
    var hyperv: [String: Bool]
    /// The text of evmcsd's metadata element: a requirements document.
    var metadataRequirements: String?

    /// Parses domain XML.
    /// - Throws: ``CommandFailure`` for XML that is not a libvirt domain.
    init(data: Data, source: String) throws {
        let document: XMLDocument
        do {
            document = try XMLDocument(data: data, options: [])
        } catch {
            throw CommandFailure("\(source): not XML: \(error.localizedDescription)")
        }
        guard let domain = document.rootElement(), domain.name == "domain" else {
            throw CommandFailure("\(source): not a libvirt domain (the root element is not <domain>)")
        }
        name = domain.child("name")?.stringValue
        uuid = domain.child("uuid")?.stringValue
        let cpu = domain.child("cpu")
        cpuMode = cpu?.attribute("mode") ?? "custom"
        model = cpu?.child("model")?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
        features = (cpu?.elements(forName: "feature") ?? []).compactMap { element in
            guard let name = element.attribute("name") else { return nil }
            return (element.attribute("policy") ?? "require", name)
        }
        let hypervElement = domain.child("features")?.child("hyperv")
        hypervMode = hypervElement.map { $0.attribute("mode") ?? "custom" }
        var enlightenments: [String: Bool] = [:]
        for child in hypervElement?.children ?? [] {
            guard let element = child as? XMLElement, let name = element.localName else { continue }
            enlightenments[name] = element.attribute("state") == "on"
        }
        hyperv = enlightenments
        metadataRequirements = domain.child("metadata")?.children?.lazy.compactMap { $0 as? XMLElement }
            .first { $0.uri == Self.namespace && $0.localName == Self.elementName }?.stringValue
    }
}

extension XMLElement {
    fileprivate func child(_ name: String) -> XMLElement? { elements(forName: name).first }
    fileprivate func attribute(_ name: String) -> String? { attribute(forName: name)?.stringValue }
}
