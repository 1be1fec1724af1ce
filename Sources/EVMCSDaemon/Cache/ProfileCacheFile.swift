import JSONCore
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// The persisted capability cache: the profile with the invalidation key it was measured
/// under, protected by a SHA-256 checksum.
///
/// Layout (two parts, one header line):
/// ```
/// {"schema":"evmcsd.cache/1","length":1234,"sha256":"…"}\n
/// {"daemonVersion":"0.1.0","key":{…},"profile":{…},"savedAt":"…"}
/// ```
/// A file whose header, length, checksum, schema, daemon version or key does not match is
/// rejected with the reason, never served.
public struct ProfileCacheFile<Key: Codable & Equatable & Sendable>: Sendable {
    public static var schema: String { "evmcsd.cache/1" }
    /// Cache files are small; anything larger is not ours.
    public static var sizeLimit: Int { 8 << 20 }

    public let path: String

    public init(directory: String) {
        path = directory + "/profile.json"
    }

    /// What was persisted.
    public struct Entry: Codable, Sendable {
        public var daemonVersion: String
        public var key: Key
        public var profile: HostProfile
        public var savedAt: String
    }

    /// Why a cache file cannot be used.
    public typealias Rejection = CacheFileRejection

    /// Loads the entry if it is intact and was saved by `daemonVersion` under `key`.
    public func load(daemonVersion: String, key: Key) -> Result<Entry, Rejection> {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path, limit: Self.sizeLimit)
        } catch {
            return .failure(error.errno == ENOENT ? .missing : .unreadable(error.description, cause: error))
        }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            return .failure(.corrupt("no header line (truncated?)"))
        }
        let payload = Array(bytes[(newline + 1)...])
        guard let header = try? Self.decode(Header.self, bytes[..<newline]) else {
            return .failure(.corrupt("unreadable header"))
        }
        guard header.schema == Self.schema else {
            return .failure(.corrupt("schema \"\(header.schema)\", expected \"\(Self.schema)\""))
        }
        guard header.length == payload.count else {
            return .failure(.corrupt("payload is \(payload.count) bytes, header says \(header.length) (truncated?)"))
        }
        guard SHA256.hexDigest(of: payload) == header.sha256 else { return .failure(.corrupt("checksum mismatch")) }
        let entry: Entry
        do {
            entry = try Self.decode(Entry.self, payload)
        } catch {
            return .failure(.corrupt("payload does not decode: \(error)", cause: error))
        }
        guard entry.daemonVersion == daemonVersion else {
            return .failure(.stale("saved by evmcsd \(entry.daemonVersion), this is \(daemonVersion)"))
        }
        guard entry.key == key else { return .failure(.stale("invalidation key changed")) }
        return .success(entry)
    }

    /// Atomically persists `entry`.
    /// - Throws: ``AtomicFile/Failure`` for I/O errors, `EncodingError` if the entry cannot
    ///   be encoded.
    public func save(_ entry: Entry) throws {
        let encoder = JSONValueEncoder()
        let payload = try encoder.encode(entry).serialized()
        let header = Header(schema: Self.schema, length: payload.count, sha256: SHA256.hexDigest(of: payload))
        var bytes = try encoder.encode(header).serialized()
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payload)
        try AtomicFile.write(bytes, to: path, mode: 0o600)
    }

    /// Parses `bytes` once with the strict parser and decodes the tree (JSONCore, as documents are read).
    private static func decode<Value: Decodable>(_ type: Value.Type, _ bytes: some Collection<UInt8>) throws -> Value {
        try JSONValueDecoder().decode(type, from: try JSONParser().parse(bytes))
    }

    private struct Header: Codable {
        var schema: String
        var length: Int
        var sha256: String
    }
}
