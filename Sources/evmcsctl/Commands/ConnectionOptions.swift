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

    /// The connection these options name.
    var daemon: DaemonConnection { DaemonConnection(socket: socket, timeout: timeout) }
}

/// How a command reaches evmcsd: the values of ``ConnectionOptions``, whichever parser read them
/// (ArgumentParser, or ``QuickCommandLine`` for the hot commands).
struct DaemonConnection {
    /// `--socket`; `nil` is ``EVMCSClient/defaultSocketPath``.
    var socket: String?
    /// `--timeout`, seconds to wait for each answer.
    var timeout: Int

    /// Connects with a blocking client, runs `body` on this thread, closes; daemon errors become
    /// exit status 3 (unreachable or not authorized) or 2 (bad input). Every one-shot command
    /// uses this: no event-loop threads and no task hand-offs for a call or two.
    func withClient<T>(_ body: (EVMCSBlockingClient) throws -> T) throws -> T {
        let client: EVMCSBlockingClient
        do {
            client = try EVMCSBlockingClient(socketPath: socketPath, timeout: .seconds(timeout))
        } catch {
            throw CommandFailure(error.message, code: .daemonUnavailable, cause: error)
        }
        defer { client.close() }
        do {
            return try body(client)
        } catch let error as EVMCSClientError {
            throw Self.failure(error)
        }
    }

    /// Connects with a pipelined client (SwiftNIO), runs `body`, closes: for `watch`, which
    /// needs the notifications; errors as for ``withClient(_:)``.
    func withPipelinedClient<T>(_ body: (EVMCSClient) async throws -> T) async throws -> T {
        let client: EVMCSClient
        do {
            client = try await EVMCSClient.connect(socketPath: socketPath, timeout: .seconds(timeout))
        } catch {
            throw CommandFailure(error.message, code: .daemonUnavailable, cause: error)
        }
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as EVMCSClientError {
            await client.close()
            throw Self.failure(error)
        } catch {
            await client.close()
            throw error
        }
    }

    private var socketPath: String { socket ?? EVMCSClient.defaultSocketPath }

    private static func failure(_ error: EVMCSClientError) -> CommandFailure {
        CommandFailure(
            error.message,
            code: error.isUnreachableOrUnauthorized ? .daemonUnavailable : .usageOrDocumentError,
            cause: error
        )
    }
}
