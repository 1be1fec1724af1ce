import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// Probes the live host: procfs/sysfs facts, the system fd of `/dev/kvm`, a vCPU with eVMCS
/// enabled, and the RDMSR guest that measures what an eVMCS guest reads (Docs/probe.md).
///
/// ```swift
/// let profile = LiveProbe().probe()   // never throws: failures are reasons in the profile
/// print(profile.evmcsSupport)
/// ```
///
/// Every file descriptor and VM is released before `probe()` returns.
public struct LiveProbe: ProbeSource {
    public let reader: HostFactsReader
    /// Bound of one guest run.
    public var guestTimeLimit: Duration = .seconds(1)

    /// The VMX capability MSRs the guest and the vCPU read (KVM emulates 0x480–0x491; 0x492 is
    /// read too, so a kernel that starts exposing it is noticed).
    static let vmxIndices: [UInt32] = Array(0x480...0x492)
    /// Ordinary MSRs read by the guest and by the host on the same vCPU to check the
    /// guest-read mechanism itself on any host: APIC_BASE, ARCH_CAPABILITIES, MISC_ENABLE, PAT,
    /// EFER, TSC_AUX.
    static let checkIndices: [UInt32] = [0x1B, 0x10A, 0x1A0, 0x277, 0xC000_0080, 0xC000_0103]

    public init(procRoot: String = "/proc", sysRoot: String = "/sys", devicePath: String = KVMSystem.defaultDevicePath)
    {
        reader = HostFactsReader(procRoot: procRoot, sysRoot: sysRoot, kvmDevicePath: devicePath)
    }

    public var description: String { "live \(reader.kvmDevicePath)" }

    public func currentKey() -> ProbeSourceKey { .live(reader.invalidationKey()) }

    public func probe() -> HostProfile {
        var recorder = ProbeRecorder()
        var profile = HostProfile()
        profile.generator = "evmcsd \(EVMCSVersion.current)"
        profile.generatedAt = Timestamp.rfc3339Now()
        profile.vmx = HostProfile.VMXViews()
        profile.vmx?.obtained = [:]
        recorder.step("host-facts") { (HostFactsMapping.apply(reader.read(), to: &profile), outcome: nil) }
        let system: KVMSystem? = recorder.step("system") { SystemProbe.run(reader.kvmDevicePath, into: &profile) }
        if let system {
            let check: HostProfile.ProbeReport.GuestReadCheck? = recorder.step("vcpu-and-guest") {
                GuestViewProbe(system: system, timeLimit: guestTimeLimit).run(into: &profile)
            }
            profile.probe = HostProfile.ProbeReport(durationMicros: 0, steps: [], guestReadCheck: check)
        }
        recorder.step("derive") { (ViewDerivation.complete(&profile), outcome: nil) }
        var report = profile.probe ?? HostProfile.ProbeReport(durationMicros: 0, steps: [])
        report.steps = recorder.steps
        report.durationMicros = recorder.totalMicros
        profile.probe = report
        return profile.fingerprinted()
    }
}
