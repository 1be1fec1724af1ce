import ArgumentParser
import LibvirtIntegration

/// `evmcsd-libvirt-hook`: the libvirt QEMU hook of `evmcsctl libvirt-hook` in a small binary
/// without full Foundation, for libvirt to start on every domain operation
/// (contrib/libvirt-hook/evmcsd, Docs/integration.md).
@main
struct LibvirtHookMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evmcsd-libvirt-hook",
        abstract: "libvirt QEMU hook: refuse an incoming migration this host cannot run."
    )

    @OptionGroup var hook: LibvirtHookArguments

    func run() async throws { await hook.run() }
}
