import Testing
import VMXModel

@testable import LibvirtIntegration

@Suite("Libvirt error types: code, message, cause")
struct LibvirtErrorTests {
    @Test func xmlThatIsNotWellFormedCarriesTheXMLError() throws {
        do {
            _ = try LibvirtDomainXML(xml: Array("<domain><name>x</domain>".utf8), source: "d.xml")
            Issue.record("malformed XML was accepted")
        } catch {
            #expect(error.code == .notXML)
            let xml = try #require(error.cause as? XMLTreeError)
            #expect(xml.code == .malformed)
            #expect(error.message == "d.xml: not XML: \(xml)")
        }
    }

    @Test func anUnknownEntityHasItsOwnCode() {
        do {
            _ = try XMLTree.parse(Array("<a>&bogus;</a>".utf8))
            Issue.record("an unknown entity was accepted")
        } catch {
            #expect(error.code == .unknownEntity)
            #expect(error.description == "unknown entity &bogus; at byte 3")
        }
    }

    @Test func badMetadataCarriesTheDocumentError() throws {
        let xml = #"<domain><metadata><r:requirements xmlns:r="urn:evmcsd:vm-requirements:1">{"schema":1}</r:requirements></metadata></domain>"#
        let domain = try LibvirtDomainXML(xml: Array(xml.utf8), source: "d.xml")
        do {
            _ = try LibvirtRequirements.build(domain, profile: nil, source: "d.xml")
            Issue.record("invalid metadata was accepted")
        } catch {
            #expect(error.code == .invalidMetadata)
            #expect(error.cause is DocumentError)
        }
    }

    @Test func hostPassthroughWithoutAProfileKeepsTheQEMUError() throws {
        let xml = "<domain><cpu mode='host-passthrough'/></domain>"
        let domain = try LibvirtDomainXML(xml: Array(xml.utf8), source: "d.xml")
        do {
            _ = try LibvirtRequirements.build(domain, profile: nil, source: "d.xml")
            Issue.record("host-passthrough without a profile gave requirements")
        } catch {
            #expect(error.code == .unsupportedCPU)
            #expect((error.cause as? QEMUCPUError)?.code == .needsProfile)
        }
    }

    @Test func codesAreDistinct() {
        let codes: [LibvirtError.Code] = [.unreadable, .notXML, .notADomain, .invalidMetadata, .unsupportedCPU]
        #expect(Set(codes).count == codes.count)
        #expect(XMLTreeError.Code.malformed != XMLTreeError.Code.unknownEntity)
    }
}
