import VMXModel

/// Turns probe failures into the machine-readable reasons of a profile (Docs/documents.md).
enum ProbeReasons {
    /// Why /dev/kvm could not be opened.
    static func openFailure(_ error: ProbeError, path: String) -> Provenance.Reason {
        switch error.errnoName {
        case "ENOENT", "ENXIO", "ENODEV":
            return Provenance.Reason(
                code: "kvm-device-missing",
                message:
                    "\(path) does not exist: the kvm module is not loaded, or the device is not passed into this container",
                errno: error.errnoName
            )
        case "EACCES", "EPERM":
            return Provenance.Reason(
                code: "permission-denied",
                message:
                    "cannot open \(path) read-write: permission denied; run evmcsd as root or as a member of the device's group (usually kvm), or grant it with DeviceAllow=\(path) rw",
                errno: error.errnoName
            )
        default:
            return ioctlFailure(error)
        }
    }

    static func ioctlFailure(_ error: ProbeError) -> Provenance.Reason {
        Provenance.Reason(code: "ioctl-failed", message: error.description, errno: error.errnoName)
    }

    /// Why there are no VMX capability MSRs.
    static func noVMX(vendor: String?, parameters: [String: [String: String]]) -> Provenance.Reason {
        if let vendor, vendor != HostProfile.intelVendor {
            return Provenance.Reason(
                code: "vendor-not-intel",
                message: "CPU vendor is \(vendor): VMX capability MSRs and Enlightened VMCS exist only on Intel"
            )
        }
        if let nested = parameters["kvm_intel"]?["nested"], ["N", "0"].contains(nested) {
            return Provenance.Reason(
                code: "nested-disabled",
                message:
                    "kvm_intel is loaded with nested=\(nested): KVM offers no nested VMX (set options kvm_intel nested=1)"
            )
        }
        if parameters["kvm_intel"] == nil {
            return Provenance.Reason(code: "kvm-intel-not-loaded", message: "the kvm_intel module is not loaded")
        }
        return Provenance.Reason(
            code: "not-reported",
            message: "KVM_GET_MSR_FEATURE_INDEX_LIST lists no VMX capability MSRs"
        )
    }

    /// Why KVM_ENABLE_CAP(HYPERV_ENLIGHTENED_VMCS) failed.
    static func evmcsFailure(_ error: ProbeError, vendor: String?, capabilities: [String: Int]) -> Provenance.Reason {
        let cause = "KVM_ENABLE_CAP(HYPERV_ENLIGHTENED_VMCS) failed with \(error.errnoName ?? error.code.rawValue)"
        if let vendor, vendor != HostProfile.intelVendor {
            return Provenance.Reason(
                code: "vendor-not-intel",
                message: "CPU vendor is \(vendor): Enlightened VMCS exists only on Intel VMX (\(cause))",
                errno: error.errnoName
            )
        }
        if (capabilities["HYPERV"] ?? 0) == 0 {
            return Provenance.Reason(
                code: "hyperv-not-built",
                message: "this kernel has no Hyper-V emulation (KVM_CAP_HYPERV is 0; CONFIG_KVM_HYPERV off) (\(cause))",
                errno: error.errnoName
            )
        }
        if (capabilities["HYPERV_ENLIGHTENED_VMCS"] ?? 0) == 0 {
            return Provenance.Reason(
                code: "capability-absent",
                message: "KVM_CAP_HYPERV_ENLIGHTENED_VMCS is not offered by this kernel (\(cause))",
                errno: error.errnoName
            )
        }
        return Provenance.Reason(code: "ioctl-failed", message: cause + ": " + error.message, errno: error.errnoName)
    }
}
