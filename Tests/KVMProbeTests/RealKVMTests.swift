import Testing

/// Every test that opens the real /dev/kvm lives under this suite.
///
/// `.serialized` applies to all nested suites, so no two of these tests run at the same time: the leak
/// test compares the process's KVM file descriptors and mappings before and after, which another
/// concurrently running KVM test would disturb.
@Suite(
    .serialized,
    .enabled(
        if: TestHost.hasKVM,
        "needs read-write access to /dev/kvm (absent, or no permission, on this machine)"
    )
)
struct RealKVMTests {}
