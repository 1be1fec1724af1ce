import VMXModel

/// The vCPU and guest-view parts of the probe (Docs/probe.md, "The guest-view probe"): on a fresh vCPU configured
/// like a Hyper-V-enabled VMM configures it (supported CPUID plus Hyper-V leaves, eVMCS
/// enabled), read the vCPU's supported Hyper-V CPUID, the VMX MSRs host-initiated (the vCPU
/// view) and by RDMSR from a guest (the eVMCS guest view); once with Hyper-V CPUID
/// 0x4000000A.EBX bit 0 clear, once set.
///
/// Ordinary MSRs are read the same two ways in the same run: equal values prove the
/// mechanism on any host, including hosts without VMX.
struct GuestViewProbe {
    let system: KVMSystem
    let timeLimit: Duration

    /// QEMU's eVMCS version range (DEFAULT_EVMCS_VERSION): lowest 1, highest 1.
    static let requestedVersionRange: UInt16 = 0x0101

    func run(into profile: inout HostProfile) -> (HostProfile.ProbeReport.GuestReadCheck?, outcome: String?) {
        let supported: [CPUIDEntry]
        do {
            supported = try system.supportedCPUID()
        } catch {
            unavailable(&profile, [.vcpu, .guest, .guestPerfGlobalCtrl], ProbeReasons.ioctlFailure(error))
            return (nil, outcome: "KVM_GET_SUPPORTED_CPUID failed")
        }
        let indices = LiveProbe.vmxIndices + LiveProbe.checkIndices
        let first: GuestMSRReadout
        do {
            let hyperVCPUID = (profile.kvm?.capabilities?["HYPERV_CPUID"] ?? 0) > 0
            first = try read(indices, supported: supported, perfGlobalCtrl: false, readHyperVCPUID: hyperVCPUID)
        } catch {
            let reason = Provenance.Reason(code: "guest-run-failed", message: error.description, errno: error.errnoName)
            unavailable(&profile, [.vcpu, .guest, .guestPerfGlobalCtrl], reason)
            return (nil, outcome: reason.code)
        }
        let evmcsEnabled = record(first.enlightenedVMCS, into: &profile)
        record(first.hyperVCPUID, into: &profile)
        let vcpu = Self.values(first.host, LiveProbe.vmxIndices)
        if vcpu.isEmpty {
            unavailable(&profile, [.vcpu], noVMX(profile))
        } else {
            profile.vmx?.vcpu = VMXMSRSet(vcpu)
            profile.vmx?[provenanceOf: .vcpu] = Provenance(.measured)
        }
        let check = Self.check(guest: first.guest, host: first.host)
        guard evmcsEnabled else {
            let reason = profile.evmcs?.obtained?.reason ?? noVMX(profile)
            unavailable(&profile, [.guest, .guestPerfGlobalCtrl], reason)
            return (check, outcome: nil)
        }
        let guest = Self.guestValues(first.guest)
        guard !guest.isEmpty else {
            unavailable(&profile, [.guest, .guestPerfGlobalCtrl], Self.allFaulted)
            return (check, outcome: nil)
        }
        profile.vmx?.guest = VMXMSRSet(guest)
        profile.vmx?[provenanceOf: .guest] = Provenance(.measured)
        do {
            let second = try read(LiveProbe.vmxIndices, supported: supported, perfGlobalCtrl: true)
            profile.vmx?.guestPerfGlobalCtrl = VMXMSRSet(Self.guestValues(second.guest))
            profile.vmx?[provenanceOf: .guestPerfGlobalCtrl] = Provenance(.measured)
        } catch {
            let reason = Provenance.Reason(code: "guest-run-failed", message: error.description, errno: error.errnoName)
            unavailable(&profile, [.guestPerfGlobalCtrl], reason)
        }
        return (check, outcome: nil)
    }

    private func read(
        _ indices: [UInt32],
        supported: [CPUIDEntry],
        perfGlobalCtrl: Bool,
        readHyperVCPUID: Bool = false
    ) throws(ProbeError) -> GuestMSRReadout {
        let cpuid = HyperVCPUID.entries(
            supported: supported,
            evmcsVersionRange: Self.requestedVersionRange,
            perfGlobalCtrl: perfGlobalCtrl
        )
        return try GuestMSRReader.read(
            indices: indices,
            on: system,
            cpuid: cpuid,
            enableEnlightenedVMCS: true,
            readHyperVCPUID: readHyperVCPUID,
            timeLimit: timeLimit
        )
    }

    /// Records the vCPU's Hyper-V CPUID; a failure becomes a warning (the rest of the run stands).
    private func record(_ result: Result<[CPUIDEntry], ProbeError>?, into profile: inout HostProfile) {
        switch result {
        case .success(let entries)?:
            profile.kvm?.hypervCPUIDVCPU = entries.map(SystemProbe.leaf)
        case .failure(let error)?:
            profile.warnings =
                (profile.warnings ?? []) + [
                    Warning(code: "probe-step-failed", message: "KVM_GET_SUPPORTED_HV_CPUID (vCPU): \(error)")
                ]
        case nil:
            break
        }
    }

    /// Records the eVMCS enable result; returns whether eVMCS is on for this vCPU.
    private func record(_ result: GuestMSRReadout.EnlightenedVMCSEnablement?, into profile: inout HostProfile) -> Bool {
        var evmcs = HostProfile.EVMCS()
        defer { profile.evmcs = evmcs }
        switch result {
        case .enabled(let range)?:
            evmcs.versionLow = Int(range & 0xFF)
            evmcs.versionHigh = Int(range >> 8)
            evmcs.supported = range != 0
            evmcs.obtained =
                range != 0
                ? Provenance(.measured)
                : Provenance(
                    .unavailable,
                    reason: Provenance.Reason(
                        code: "nested-disabled",
                        message: "KVM enabled eVMCS with version range 0: nested VMX is not available"
                    )
                )
            return range != 0
        case .failed(let error)?:
            evmcs.supported = false
            let reason = ProbeReasons.evmcsFailure(
                error,
                vendor: profile.cpu?.vendor,
                capabilities: profile.kvm?.capabilities ?? [:]
            )
            evmcs.obtained = Provenance(.unavailable, reason: reason)
            return false
        case nil:
            return false
        }
    }

    private func noVMX(_ profile: HostProfile) -> Provenance.Reason {
        ProbeReasons.noVMX(vendor: profile.cpu?.vendor, parameters: profile.kvm?.parameters ?? [:])
    }

    private func unavailable(_ profile: inout HostProfile, _ views: [VMXViewName], _ reason: Provenance.Reason) {
        for view in views { profile.vmx?.obtained?[view.rawValue] = Provenance(.unavailable, reason: reason) }
    }

    private static let allFaulted = Provenance.Reason(
        code: "guest-faulted",
        message:
            "every VMX capability MSR raised #GP in the guest although the vCPU has values: the guest CPUID lacks VMX"
    )

    private static func values(_ readings: [MSRReading<HostMSROutcome>], _ indices: [UInt32]) -> [MSRIndex: UInt64] {
        var result: [MSRIndex: UInt64] = [:]
        for reading in readings where indices.contains(reading.index) {
            if let value = reading.outcome.value { result[MSRIndex(reading.index)] = value }
        }
        return result
    }

    private static func guestValues(_ readings: [MSRReading<GuestMSROutcome>]) -> [MSRIndex: UInt64] {
        var result: [MSRIndex: UInt64] = [:]
        for reading in readings where LiveProbe.vmxIndices.contains(reading.index) {
            if let value = reading.outcome.value { result[MSRIndex(reading.index)] = value }
        }
        return result
    }

    /// Compares the guest's reads of the ordinary check MSRs with the host's.
    static func check(guest: [MSRReading<GuestMSROutcome>], host: [MSRReading<HostMSROutcome>])
        -> HostProfile.ProbeReport.GuestReadCheck
    {
        var matched: [String] = []
        var mismatched: [String] = []
        var faulted: [String] = []
        for index in LiveProbe.checkIndices {
            let name = MSRIndex(index).hex
            switch guest.outcome(of: index) as GuestMSROutcome? {
            case .value(let value)?:
                if (host.outcome(of: index) as HostMSROutcome?)?.value == value {
                    matched.append(name)
                } else {
                    mismatched.append(name)
                }
            case .faulted?: faulted.append(name)
            case nil: continue
            }
        }
        return HostProfile.ProbeReport.GuestReadCheck(matched: matched, mismatched: mismatched, faulted: faulted)
    }
}
