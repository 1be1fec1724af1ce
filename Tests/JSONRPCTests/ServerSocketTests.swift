import Glibc
import JSONRPC
import Logging
import Testing

extension ServerTests {
    @Suite("Socket and peer")
    struct Socket {
        @Test("peer credentials are the client's uid, gid and pid")
        func peerCredentials() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                let result = try await client.call(#"{"jsonrpc":"2.0","method":"whoami","id":1}"#)["result"]
                #expect(result?["uid"]?.number?.uint64 == UInt64(getuid()))
                #expect(result?["gid"]?.number?.uint64 == UInt64(getgid()))
                #expect(result?["pid"]?.number?.int64 == Int64(getpid()))
            }
        }

        @Test("the socket file has the configured mode", arguments: [0o660, 0o600, 0o666] as [UInt32])
        func socketMode(mode: UInt32) async throws {
            let path = uniqueSocketPath()
            try await withTestServer(address: .unixSocket(path: path, mode: mode)) { _, _ in
                var status = stat()
                #expect(lstat(path, &status) == 0)
                #expect(status.st_mode & S_IFMT == S_IFSOCK)
                #expect(UInt32(status.st_mode & 0o7777) == mode)
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
            }
            #expect(access(path, F_OK) != 0)
        }

        @Test("a stale socket file is replaced")
        func staleSocket() async throws {
            let path = uniqueSocketPath()
            let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let bound = try UnixSocketAddress(path: path).withSockaddr { bind(stale, $0, $1) }
            #expect(bound == 0)
            close(stale)  // leaves the file behind with nobody accepting
            try await withTestServer(address: .unixSocket(path: path)) { _, _ in
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
            }
            #expect(access(path, F_OK) != 0)
        }

        @Test("a regular file at the path is never replaced")
        func regularFile() async throws {
            let path = uniqueSocketPath()
            let file = open(path, O_CREAT | O_WRONLY, 0o644)
            #expect(write(file, "keep", 4) == 4)
            close(file)
            defer { unlink(path) }
            let server = JSONRPCServer(
                address: .unixSocket(path: path),
                methods: .testMethods(),
                logger: LogRecorder().logger
            )
            await #expect(throws: JSONRPCServerError.self) { try await server.run() }
            var status = stat()
            #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG && status.st_size == 4)
        }

        @Test("a path that cannot be a socket address is refused, with the address's own error as the cause")
        func unusablePath() async throws {
            let server = JSONRPCServer(
                address: .unixSocket(path: "/tmp/" + String(repeating: "x", count: 200)),
                methods: .testMethods(),
                logger: LogRecorder().logger
            )
            let error = await #expect(throws: JSONRPCServerError.self) { try await server.run() }
            #expect(error?.code == .invalidPath)
            let cause = error?.cause as? UnixSocketAddress.Failure
            #expect(cause?.code == .invalidPath)
        }

        @Test("a live socket is never replaced")
        func liveSocket() async throws {
            let path = uniqueSocketPath()
            try await withTestServer(address: .unixSocket(path: path)) { _, _ in
                let second = JSONRPCServer(
                    address: .unixSocket(path: path),
                    methods: .testMethods(),
                    logger: LogRecorder().logger
                )
                let error = await #expect(throws: JSONRPCServerError.self) { try await second.run() }
                #expect(error?.code == .addressInUse)
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
            }
        }

        @Test("an adopted listening descriptor is served and its file left in place")
        func adoptedDescriptor() async throws {
            let path = uniqueSocketPath()
            defer { unlink(path) }
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let bound = try UnixSocketAddress(path: path).withSockaddr { bind(descriptor, $0, $1) }
            #expect(bound == 0 && listen(descriptor, 16) == 0)
            try await withTestServer(address: .listeningSocket(descriptor: descriptor)) { _, _ in
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
            }
            #expect(access(path, F_OK) == 0)
        }
    }
}
