import ArgumentParser
import EVMCSClient

/// `--socket` and `--timeout`, on every command that talks to evmcsd.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "evmcsd's socket (default: $EVMCSD_SOCKET, /run/evmcsd/evmcsd.sock, or $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock)."
    )
    var socket: String?

    @Option(name: .long, help: "Seconds to wait for each answer.")
    var timeout: Int = 30

    /// Connects, runs `body`, closes; daemon errors become exit status 3 (unreachable or not
    /// authorized) or 2 (bad input). One-shot commands use a blocking connection (no event-loop
    /// threads for a call or two); `watch` needs `.pipelined` for its notifications.
    func withClient<T>(
        transport: EVMCSClient.Transport = .blocking,
        _ body: (EVMCSClient) async throws -> T
    ) async throws -> T {
        let client: EVMCSClient
        do {
            client = try await EVMCSClient.connect(
                socketPath: socket ?? EVMCSClient.defaultSocketPath,
                timeout: .seconds(timeout),
                transport: transport
            )
        } catch {
            throw CommandFailure(error.message, status: .daemonUnavailable)
        }
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as EVMCSClientError {
            await client.close()
            throw CommandFailure(
                error.message,
                status: error.isUnreachableOrUnauthorized ? .daemonUnavailable : .usageOrDocumentError
            )
        } catch {
            await client.close()
            throw error
        }
    }
}
