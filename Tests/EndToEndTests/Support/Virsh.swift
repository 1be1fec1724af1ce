import Foundation

/// Domain XML made by the real libvirt tools: defined on the `test:///default` driver (a
/// fresh in-memory hypervisor each virsh run), optionally given evmcsd's metadata element,
/// then dumped with `virsh dumpxml`.
enum Virsh {
    static let binary = "/usr/bin/virsh"
    static var available: Bool { TestMachine.hasExecutable(binary) }

    /// A domain `name` with the given `<cpu>` and `<hyperv>` elements.
    static func domain(_ name: String, cpu: String, hyperv: String = "") -> String {
        """
        <domain type='kvm'>
          <name>\(name)</name>
          <uuid>6f1c2b1e-8f0a-4a53-9d55-3b1f6b0c9a11</uuid>
          <memory unit='MiB'>1024</memory>
          <vcpu>2</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <features><acpi/>\(hyperv)</features>
          \(cpu)
        </domain>
        """
    }

    /// `virsh dumpxml` of `xml` after `virsh define` (and `virsh metadata --set` when given).
    static func dumpXML(_ xml: String, name: String, metadata: String? = nil) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("domain-\(UUID().uuidString).xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var commands = ["define \(file.path)"]
        if let metadata {
            let quoted = "'" + metadata.replacingOccurrences(of: "'", with: "'\\''") + "'"
            commands.append("metadata \(name) --uri urn:evmcsd:vm-requirements:1 --key evmcsd --set \(quoted) --config")
        }
        commands.append("dumpxml \(name)")
        let run = try Program.run(binary, ["-q", "-c", "test:///default", commands.joined(separator: "; ")])
        guard run.status == 0, let start = run.output.range(of: "<domain") else {
            throw DaemonFailure(message: "virsh failed (\(run.status)): \(run.error)\(run.output)")
        }
        return String(run.output[start.lowerBound...])
    }
}
