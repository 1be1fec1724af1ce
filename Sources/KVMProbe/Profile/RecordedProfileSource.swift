import VMXModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Serves a recorded host profile (`evmcsd --profile FILE`): for tests, demos and what-if
/// planning on hosts that are not this one.
public struct RecordedProfileSource: ProbeSource {
    /// The profile file.
    public let path: String
    /// A check of the file's bytes before they are decoded: the reason it cannot be served, or
    /// `nil`. The daemon refuses documents that name a member twice.
    private let vetting: (@Sendable (Data) -> String?)?

    /// - Parameters:
    ///   - path: The profile file, read again on every probe.
    ///   - vetting: Returns why the bytes cannot be served, or `nil`.
    public init(path: String, vetting: (@Sendable (Data) -> String?)? = nil) {
        self.path = path
        self.vetting = vetting
    }

    /// `recorded PATH`.
    public var description: String { "recorded \(path)" }

    /// The file's content digest (or its errno when unreadable, so a repaired file is noticed).
    public func currentKey() -> ProbeSourceKey {
        switch Self.read(path) {
        case .success(let data): .recorded(path: path, sha256: SHA256.hexDigest(of: data))
        case .failure(let error): .recorded(path: path, sha256: "unreadable: \(error)")
        }
    }

    /// The profile in the file, with the views it lacks derived as the live probe derives
    /// them (the vCPU view from the system view, the eVMCS guest views by kernel era), and
    /// fingerprinted.
    /// - Throws: `RecordedProfileError` when the file cannot be read or is not a profile.
    public func probe() throws -> HostProfile {
        let data: Data
        switch Self.read(path) {
        case .success(let contents): data = contents
        case .failure(let failure):
            throw RecordedProfileError(
                failure.code,
                path: path,
                message: "cannot read: \(failure)",
                cause: failure.errno
            )
        }
        if let problem = vetting?(data) { throw RecordedProfileError(.refused, path: path, message: problem) }
        var profile: HostProfile
        do {
            profile = try DocumentLoader.hostProfile(from: data)
        } catch {
            throw RecordedProfileError(.notAProfile, path: path, message: error.description, cause: error)
        }
        ViewDerivation.complete(&profile)
        return profile.fingerprinted()
    }

    /// Profiles are a few KiB; a file reaching this size is not one.
    static let sizeLimit = 16 << 20

    private static func read(_ path: String) -> Result<Data, RecordedReadFailure> {
        switch FileReading.text(at: path, limit: sizeLimit) {
        case .success(let text) where text.utf8.count >= sizeLimit: .failure(.tooLarge)
        case .success(let text): .success(Data(text.utf8))
        case .failure(let error): .failure(.errno(error))
        }
    }

    /// Why the file's bytes cannot be served; it becomes the code (and the errno the cause) of a
    /// ``RecordedProfileError`` and, as text, part of the source key.
    private enum RecordedReadFailure: Error, CustomStringConvertible {
        case errno(Errno)
        case tooLarge

        var code: RecordedProfileError.Code {
            switch self {
            case .errno: .unreadable
            case .tooLarge: .tooLarge
            }
        }

        var errno: Errno? {
            if case .errno(let errno) = self { errno } else { nil }
        }

        var description: String {
            switch self {
            case .errno(let errno): errno.name
            case .tooLarge: "larger than \(RecordedProfileSource.sizeLimit >> 20) MiB"
            }
        }
    }
}

/// A recorded profile file that cannot be served.
public typealias RecordedProfileError = LocatedError<RecordedProfileErrorCode>

/// The category of a ``RecordedProfileError``.
public enum RecordedProfileErrorCode: String, ErrorCode {
    /// The file cannot be read; the cause is its ``Errno``.
    case unreadable

    /// The file is larger than any profile (16 MiB).
    case tooLarge

    /// The source's vetting refused the bytes (a member named twice, for the daemon).
    case refused

    /// The file is not a host profile; the cause is the `DocumentError`.
    case notAProfile
}
