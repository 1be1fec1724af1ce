import Foundation
import VMXModel

/// A libvirt domain's VMX requirements: the document in evmcsd's metadata element when there
/// is one, else the CPU definition as the `-cpu` libvirt gives QEMU.
enum LibvirtRequirements {
    /// Where the requirements came from.
    enum Origin: String, Encodable {
        case metadata
        case cpuDefinition = "cpu-definition"
    }

    /// The requirements, the QEMU build details for a CPU definition, and where they came from.
    static func build(_ domain: LibvirtDomainXML, profile: HostProfile?, source: String) throws -> (
        QEMUCPURequirements?, VMRequirements, Origin
    ) {
        if let text = domain.metadataRequirements {
            do {
                let document = try DocumentLoader.vmRequirements(from: Data(text.utf8))
                return (nil, document, .metadata)
            } catch {
                throw CommandFailure("\(source): <metadata> \(LibvirtDomainXML.namespace) requirements: \(error)")
            }
        }
        do {
            let built = try QEMUCPURequirements(
                spec: try spec(domain, source: source),
                on: profile,
                name: domain.name,
                uuid: domain.uuid
            )
            return (built, built.requirements, .cpuDefinition)
        } catch let error as QEMUCPUError where error.code == .needsProfile {
            throw CommandFailure(
                "\(source): <cpu mode='\(domain.cpuMode)'> gives the VM the source host's own VMX values: give --profile SOURCE.json (the profile of the host the VM was started on), or put a requirements document in <metadata> (evmcsctl requirements --format libvirt-metadata)"
            )
        } catch let error as QEMUCPUError {
            throw CommandFailure("\(source): \(error.message)")
        }
    }

    /// The `-cpu` that libvirt builds from `<cpu>` and `<hyperv>`: `require`/`force` features
    /// on, `disable`/`forbid` off, `optional` left to the model. Only `vmx` and `vmx-*` are
    /// taken (libvirt names CPUID features its own way; they do not change VMX MSRs).
    static func spec(_ domain: LibvirtDomainXML, source: String) throws -> QEMUCPUSpec {
        let model: String
        switch domain.cpuMode {
        case "host-passthrough": model = "host"
        case "maximum": model = "max"
        case "custom", "host-model":
            guard let named = domain.model, !named.isEmpty else {
                throw CommandFailure(
                    "\(source): <cpu mode='\(domain.cpuMode)'> without <model>: use the live XML (virsh dumpxml of the running domain), in which libvirt has expanded the model"
                )
            }
            model = named
        default: throw CommandFailure("\(source): unknown <cpu mode='\(domain.cpuMode)'>")
        }
        var settings: [QEMUCPUSpec.Setting] = []
        var unknown: [String] = []
        for (policy, name) in domain.features where name == "vmx" || name.hasPrefix("vmx-") {
            guard QEMUCPUProperties.kind(of: name) != nil else {
                unknown.append(name)
                continue
            }
            switch policy {
            case "require", "force": settings.append(.init(name, true))
            case "disable", "forbid": settings.append(.init(name, false))
            default: continue
            }
        }
        guard unknown.isEmpty else {
            throw CommandFailure("\(source): unknown CPU feature\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))")
        }
        if domain.hypervMode == "passthrough" { settings.append(.init("hv-passthrough", true)) }
        for name in ["vapic", "evmcs"] where domain.hypervMode == "custom" {
            if let on = domain.hyperv[name] { settings.append(.init("hv-" + name, on)) }
        }
        return QEMUCPUSpec(model: model, settings: settings)
    }

    /// evmcsd's metadata element for `virsh metadata DOMAIN --uri … --key evmcsd --set …`:
    /// the requirements document as compact JSON, escaped for XML.
    static func metadataElement(_ requirements: VMRequirements) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(requirements), as: UTF8.self)
        let escaped = json.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return "<\(LibvirtDomainXML.elementName)>\(escaped)</\(LibvirtDomainXML.elementName)>"
    }
}
