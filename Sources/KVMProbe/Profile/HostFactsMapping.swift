import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// Copies the procfs/sysfs facts into the profile's `host`, `kernel`, `cpu`,
/// `kvm.parameters` and `kvm.device` sections.
enum HostFactsMapping {
    static func apply(_ facts: HostFacts, to profile: inout HostProfile) {
        profile.host = HostProfile.Host(name: hostName(), bootId: facts.bootID.value)
        profile.kernel = HostProfile.Kernel(
            release: facts.kernelRelease.value,
            version: facts.kernelVersion.value,
            versionSignature: facts.versionSignature.value
        )
        if let cpu = facts.cpu.value { profile.cpu = cpu }
        var kvm = profile.kvm ?? HostProfile.KVM()
        if let modules = facts.moduleParameters.value {
            kvm.parameters = modules.mapValues { parameters in
                (parameters.value ?? [:]).mapValues { fact in fact.value ?? "unreadable (\(unreadableName(fact)))" }
            }
        }
        kvm.device = device(facts.kvmDevice)
        profile.kvm = kvm
    }

    static func device(_ node: KVMDeviceNode) -> HostProfile.Device {
        var device = HostProfile.Device(path: node.path, present: node.isPresent)
        if let identity = node.status.value {
            device.mode = String(identity.permissions, radix: 8).leftPadded(to: 4)
            device.uid = Int(identity.uid)
            device.gid = Int(identity.gid)
            device.ctime = "\(identity.ctimeSeconds).\(String(identity.ctimeNanoseconds).leftPadded(to: 9))"
        }
        if case .readWrite = node.access { device.readWrite = true } else { device.readWrite = false }
        return device
    }

    private static func unreadableName(_ fact: FileFact<String>) -> String {
        if case .unreadable(let errno) = fact { return errno }
        return "?"
    }

    private static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    /// Left-pads with zeros to `width` characters.
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
