import CodedErrors
import Testing

@testable import LibvirtIntegration

@Suite struct XMLTreeTests {
    @Test func readsElementsAttributesNamespacesTextAndReferences() throws {
        let text = """
            <?xml version="1.0"?>
            <!-- a comment -->
            <domain type='kvm'>
              <name>a &amp; b&#x21;</name>
              <metadata>
                <evmcsd:requirements xmlns:evmcsd="urn:evmcsd:vm-requirements:1">{"x":"&lt;1&gt;"}</evmcsd:requirements>
                <other xmlns="urn:other"><![CDATA[<raw>]]></other>
              </metadata>
              <features><hyperv mode="custom"><evmcs state='on'/></hyperv></features>
            </domain>
            """
        let root = try XMLTree.parse(Array(text.utf8))
        #expect(root.name == "domain" && root.attributes["type"] == "kvm")
        #expect(root.child("name")?.text == "a & b!")
        let metadata = try #require(root.child("metadata"))
        #expect(metadata.children.map(\.localName) == ["requirements", "other"])
        #expect(metadata.children[0].namespaceURI == "urn:evmcsd:vm-requirements:1" && metadata.children[0].text == #"{"x":"<1>"}"#)
        #expect(metadata.children[1].namespaceURI == "urn:other" && metadata.children[1].text == "<raw>")
        #expect(root.child("features")?.child("hyperv")?.child("evmcs")?.attributes["state"] == "on")
    }

    @Test(arguments: ["", "<a>", "<a></b>", "<a x=1/>", "<a>&bogus;</a>", "<a/><b/>", "text"])
    func malformedDocumentsAreErrors(_ text: String) {
        #expect(throws: XMLTreeError.self) { try XMLTree.parse(Array(text.utf8)) }
    }

    @Test func aDomainWithoutCPUIsCustomAndAnotherRootIsAnError() throws {
        let domain = try LibvirtDomainXML(xml: Array("<domain><name>x</name></domain>".utf8), source: "t")
        #expect(domain.cpuMode == "custom" && domain.model == nil && domain.hypervMode == nil)
        #expect(throws: LibvirtError(.notADomain, "t: not a libvirt domain (the root element is <network>, not <domain>)")) {
            try LibvirtDomainXML(xml: Array("<network/>".utf8), source: "t")
        }
    }
}
