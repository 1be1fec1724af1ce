import ArgumentParser
import LibvirtIntegration

#if canImport(Glibc)
    import Glibc
#endif

/// `evmcsd-libvirt-hook`: the libvirt QEMU hook of `evmcsctl libvirt-hook` in a small,
/// statically linked binary, for libvirt to start on every domain operation
/// (contrib/libvirt-hook/evmcsd, Docs/integration.md).
@main
struct LibvirtHookMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evmcsd-libvirt-hook",
        abstract: "libvirt QEMU hook: refuse an incoming migration this host cannot run."
    )

    @OptionGroup var hook: LibvirtHookArguments

    func run() async throws { await hook.run() }

    /// A hook must not stop operations it does not understand: arguments it cannot parse are
    /// reported on standard error and allowed (exit 0); `--help` prints the usage.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var hook = command as? any AsyncParsableCommand {
                try await hook.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            LibvirtHookPolicy.printError("evmcsd: arguments not understood, allowed: \(fullMessage(for: error))")
            Glibc.exit(0)
        }
    }
}
