/// An eVMCS change that went back into a stable or LTS branch, with the first stable release
/// that carries it (Docs/evmcs-eras.md, "Stable backports", lists every source in full).
///
/// A kernel's era by number alone is its mainline era; a stable kernel of a listed branch whose
/// sublevel reaches a threshold has the later behaviour. Every threshold here was read from a
/// source (a stable release announcement, a distribution changelog that names the upstream
/// stable release); none is inferred.
public struct StableBackport: Sendable {
    /// What the backport changes.
    public enum Effect: Hashable, Sendable {
        /// From this sublevel the branch filters like `era`.
        case era(EVMCSEra)
        /// From this sublevel `vmx_set_vmx_msr()` checks restores against the host-supported
        /// values (`vmcs_config.nested`), not the vCPU's current ones (mainline f8ae08f9789a, 6.0).
        case restoresAgainstHostValues
    }

    /// The stable branch's major and minor version.
    public let major: Int
    public let minor: Int
    /// The first stable sublevel that carries the change.
    public let firstSublevel: Int
    public let effect: Effect
    /// The mainline change, for humans.
    public let change: String
    /// Where the threshold was read.
    public let source: String

    private static let fullDenyLists =
        "8d68bad6d869 \"KVM: nVMX: Filter out all unsupported controls when eVMCS was activated\""
    private static let fiveSeventeen =
        "f80ae0ef089a \"KVM: nVMX: Also filter MSR_IA32_VMX_TRUE_PINBASED_CTLS when eVMCS\" and 7a601e2cf615 \"KVM: nVMX: eVMCS: Filter out VM_EXIT_SAVE_VMX_PREEMPTION_TIMER\""
    private static let exitPreemptionTimer =
        "7a601e2cf615 \"KVM: nVMX: eVMCS: Filter out VM_EXIT_SAVE_VMX_PREEMPTION_TIMER\""
    private static let hostValues =
        "f8ae08f9789a \"KVM: nVMX: Let userspace set nVMX MSR to any _host_ supported value\""

    /// Every backport the model knows, by branch.
    public static let table: [StableBackport] = [
        StableBackport(
            major: 5, minor: 4, firstSublevel: 180, effect: .era(.v5_4_180), change: exitPreemptionTimer,
            source: "Linux 5.4.180 announcement (<164501584693121@kroah.com>)"
        ),
        StableBackport(
            major: 5, minor: 4, firstSublevel: 211, effect: .restoresAgainstHostValues, change: hostValues,
            source: "Linux 5.4.211 announcement (<16614208441274@kroah.com>); absent from 5.4.210"
        ),
        StableBackport(
            major: 5, minor: 10, firstSublevel: 71, effect: .era(.v5_15), change: fullDenyLists,
            source: "Debian linux 5.10.84-1 changelog, under upstream ChangeLog-5.10.71; Linux 5.10.71 announcement"
        ),
        StableBackport(
            major: 5, minor: 10, firstSublevel: 101, effect: .era(.v5_17), change: fiveSeventeen,
            source: "Debian linux 5.10.103-1 changelog, under upstream ChangeLog-5.10.101"
        ),
        StableBackport(
            major: 5, minor: 10, firstSublevel: 137, effect: .restoresAgainstHostValues, change: hostValues,
            source: "Debian linux 5.10.140-1 changelog, under upstream ChangeLog-5.10.137"
        ),
        StableBackport(
            major: 5, minor: 14, firstSublevel: 10, effect: .era(.v5_15), change: fullDenyLists,
            source: "Debian linux 5.14.12-1 changelog, under upstream ChangeLog-5.14.10; Linux 5.14.10 announcement"
        ),
        StableBackport(
            major: 5, minor: 15, firstSublevel: 24, effect: .era(.v5_17), change: fiveSeventeen,
            source: "Linux 5.15.24 announcement (<1645015859182150@kroah.com>)"
        ),
        StableBackport(
            major: 5, minor: 15, firstSublevel: 61, effect: .restoresAgainstHostValues, change: hostValues,
            source: "5.15.61-rc2 review series (<20220816124544.577833376@linuxfoundation.org>)"
        ),
        StableBackport(
            major: 5, minor: 16, firstSublevel: 10, effect: .era(.v5_17), change: fiveSeventeen,
            source: "Debian linux 5.16.10-1 changelog, under upstream ChangeLog-5.16.10; Linux 5.16.10 announcement"
        ),
    ]

    /// The backports of the branch `major.minor`.
    static func of(major: Int, minor: Int) -> [StableBackport] {
        table.filter { $0.major == major && $0.minor == minor }
    }
}

/// The era a kernel's identity gives, and why that choice may be wrong.
public struct DerivedEra: Hashable, Sendable {
    public let era: EVMCSEra
    /// Whether restores are checked against host-supported values (see
    /// ``StableBackport/Effect/restoresAgainstHostValues``): `true` from 6.0 and on stable
    /// kernels with the backport, `false` before, `nil` when the sublevel does not tell.
    public let restoresAgainstHostValues: Bool?
    private let release: String
    private let identity: KernelIdentity
    /// Why the number cannot settle the era; the message is built only when asked for (verdicts
    /// ask for it only to warn).
    private let unsettled: Unsettled?

    private enum Unsettled: Hashable, Sendable {
        case vendorKernel
        case unknownSublevel
    }

    /// The era of `identity`: its mainline era, moved on by the backports its stable sublevel
    /// carries.
    public init(_ identity: KernelIdentity, release: String) {
        self.release = release
        self.identity = identity
        let upstream = identity.upstream
        let mainline = EVMCSEra(kernel: upstream)
        let mainlineRestore = (upstream.major, upstream.minor) >= (6, 0)
        let backports = StableBackport.of(major: upstream.major, minor: upstream.minor)
        if identity.isVendorKernel {
            era = mainline
            restoresAgainstHostValues = mainlineRestore ? true : nil
            unsettled = .vendorKernel
        } else if backports.isEmpty {
            era = mainline
            restoresAgainstHostValues = mainlineRestore
            unsettled = nil
        } else if !identity.sublevelKnown {
            era = mainline
            restoresAgainstHostValues = nil
            unsettled = .unknownSublevel
        } else {
            var chosen = mainline
            var restore = mainlineRestore
            for backport in backports where upstream.patch >= backport.firstSublevel {
                switch backport.effect {
                case .era(let era): chosen = max(chosen, era)
                case .restoresAgainstHostValues: restore = true
                }
            }
            era = chosen
            restoresAgainstHostValues = restore
            unsettled = nil
        }
    }

    /// Set when the kernel's number cannot settle its era: a vendor kernel, or a stable branch
    /// with backports whose sublevel is unknown. Names the kernel and asks for a measurement.
    public var ambiguity: String? {
        switch unsettled {
        case nil:
            return nil
        case .vendorKernel:
            return
                "kernel \(release) is \(identity.summary); its eVMCS filter can be that of a much later mainline release — measure it or set kernel.evmcsEra"
        case .unknownSublevel:
            let upstream = identity.upstream
            let steps = StableBackport.of(major: upstream.major, minor: upstream.minor).map { backport in
                switch backport.effect {
                case .era(let era): "from .\(backport.firstSublevel) era \(era.rawValue)"
                case .restoresAgainstHostValues: "from .\(backport.firstSublevel) restores against host values"
                }
            }
            return
                "kernel \(release) is \(identity.summary); \(upstream.major).\(upstream.minor).y stable kernels changed their eVMCS behaviour (\(steps.joined(separator: ", "))), so era \(era.rawValue) is only the mainline guess — measure it"
        }
    }
}
