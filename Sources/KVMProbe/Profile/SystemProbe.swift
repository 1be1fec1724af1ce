import VMXModel

/// The system part of the probe (Docs/probe.md, "Steps"): API version, capabilities, feature MSRs
/// (VMX ones on Intel with nested=1), supported CPUID and, when available, the system
/// KVM_GET_SUPPORTED_HV_CPUID.
enum SystemProbe {
    /// Opens `path` and fills the `kvm` section and the system VMX view. Returns the open
    /// system (for the vCPU probe) or `nil` with the reason recorded everywhere it matters.
    static func run(_ path: String, into profile: inout HostProfile) -> (KVMSystem?, outcome: String?) {
        let system: KVMSystem
        do {
            system = try KVMSystem(devicePath: path)
        } catch {
            let reason = ProbeReasons.openFailure(error, path: path)
            markUnavailable(&profile, reason)
            return (nil, outcome: reason.code)
        }
        // A node that does not answer KVM_GET_API_VERSION with 12 is not a usable KVM.
        let apiVersion: Int32
        do {
            apiVersion = try system.apiVersion()
        } catch {
            let reason = ProbeReasons.ioctlFailure(error)
            markUnavailable(&profile, reason)
            return (nil, outcome: reason.code)
        }
        guard apiVersion == 12 else {
            let reason = Provenance.Reason(
                code: "api-version",
                message: "KVM_GET_API_VERSION returned \(apiVersion); evmcsd speaks version 12"
            )
            markUnavailable(&profile, reason)
            return (nil, outcome: reason.code)
        }
        var kvm = profile.kvm ?? HostProfile.KVM()
        kvm.obtained = Provenance(.measured)
        kvm.apiVersion = Int(apiVersion)
        var failures: [String] = []
        var capabilities: [String: Int] = [:]
        for (name, number) in CapabilityCatalog.entries {
            do {
                capabilities[name] = Int(try system.checkExtension(number))
            } catch {
                failures.append("KVM_CHECK_EXTENSION(\(name)): \(error)")
            }
        }
        kvm.capabilities = capabilities
        var featureMSRs = MSRValues()
        do {
            let indices = try system.msrFeatureIndexList()
            for reading in try system.featureMSRs(indices) {
                if let value = reading.outcome.value { featureMSRs[MSRIndex(reading.index)] = value }
            }
        } catch {
            failures.append("feature MSRs: \(error)")
        }
        kvm.featureMSRs = featureMSRs
        do {
            kvm.supportedCPUID = summary(try system.supportedCPUID())
        } catch {
            failures.append("KVM_GET_SUPPORTED_CPUID: \(error)")
        }
        if (capabilities["SYS_HYPERV_CPUID"] ?? 0) > 0 {
            do {
                kvm.hypervCPUID = try system.supportedHyperVCPUID().map(leaf)
            } catch {
                failures.append("KVM_GET_SUPPORTED_HV_CPUID (system): \(error)")
            }
        }
        profile.kvm = kvm
        let vmx = featureMSRs.vmx
        if vmx.isEmpty {
            let reason = ProbeReasons.noVMX(vendor: profile.cpu?.vendor, parameters: kvm.parameters ?? [:])
            profile.vmx?[provenanceOf: .system] = Provenance(.unavailable, reason: reason)
        } else {
            profile.vmx?.system = vmx
            profile.vmx?[provenanceOf: .system] = Provenance(.measured)
        }
        for failure in failures {
            profile.warnings = (profile.warnings ?? []) + [Warning(code: "probe-step-failed", message: failure)]
        }
        return (system, outcome: failures.isEmpty ? nil : "\(failures.count) ioctl(s) failed")
    }

    /// Records `reason` as why KVM, eVMCS and every VMX view are unavailable.
    static func markUnavailable(_ profile: inout HostProfile, _ reason: Provenance.Reason) {
        var kvm = profile.kvm ?? HostProfile.KVM()
        kvm.obtained = Provenance(.unavailable, reason: reason)
        profile.kvm = kvm
        var evmcs = HostProfile.EVMCS(supported: false)
        evmcs.obtained = Provenance(.unavailable, reason: reason)
        profile.evmcs = evmcs
        for view in VMXViewName.allCases where profile.vmx?.obtained != nil {
            profile.vmx?[provenanceOf: view] = Provenance(.unavailable, reason: reason)
        }
    }

    static func summary(_ entries: [CPUIDEntry]) -> HostProfile.CPUIDSummary {
        var summary = HostProfile.CPUIDSummary()
        summary.leaves = entries.count
        if let leaf0 = entries.first(where: { $0.function == 0 }) {
            let bytes = [leaf0.ebx, leaf0.edx, leaf0.ecx].flatMap { word in
                (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
            }
            summary.vendor = String(decoding: bytes, as: UTF8.self)
        }
        summary.vmx = entries.first { $0.function == 1 }.map { $0.ecx & (1 << 5) != 0 }
        summary.svm = entries.first { $0.function == 0x8000_0001 }.map { $0.ecx & (1 << 2) != 0 }
        return summary
    }

    static func leaf(_ entry: CPUIDEntry) -> HostProfile.CPUIDLeaf {
        HostProfile.CPUIDLeaf(
            function: entry.function,
            index: entry.index,
            eax: entry.eax,
            ebx: entry.ebx,
            ecx: entry.ecx,
            edx: entry.edx
        )
    }
}
