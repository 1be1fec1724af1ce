import JSONRPC
import VMXModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Reads document files named on the command line; every failure names the file.
enum DocumentFiles {
    /// Documents larger than this are refused (a host profile is a few KiB).
    static let maximumSize = 16 << 20

    /// The bytes of a document file, refused when one of its objects names a member twice (other tools would
    /// read another value than evmcsd does).
    static func data(_ path: String) throws -> Data {
        let data = try contents(path)
        if let problem = JSONParser.duplicateMemberProblem(in: data) { throw CommandFailure("\(path): \(problem)") }
        return data
    }

    /// Everything on standard input (`--libvirt-xml -`), within the same size limit.
    static func standardInput() throws -> Data {
        guard let input = fdopen(dup(STDIN_FILENO), "rb") else {
            throw CommandFailure("standard input: cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(input) }
        return try read(input, name: "standard input")
    }

    private static func contents(_ path: String) throws -> Data {
        guard let file = fopen(path, "rb") else {
            throw CommandFailure("\(path): cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        return try read(file, name: path)
    }

    private static func read(_ file: UnsafeMutablePointer<FILE>, name path: String) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { data.append(contentsOf: buffer[0..<count]) }
            if data.count > maximumSize {
                throw CommandFailure("\(path): larger than \(maximumSize >> 20) MiB; not a document")
            }
            if count < buffer.count {
                if ferror(file) != 0 {
                    throw CommandFailure("\(path): cannot read: \(String(cString: strerror(errno)))")
                }
                return data
            }
        }
    }

    /// A host profile or raw MSR dump; profiles without a host name get the file's name.
    static func hostProfile(_ path: String) throws -> HostProfile {
        do {
            var profile = try DocumentLoader.hostProfile(from: data(path))
            if profile.host?.name == nil {
                var host = profile.host ?? HostProfile.Host()
                host.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                profile.host = host
            }
            return profile
        } catch let error as DocumentError {
            throw CommandFailure("\(path): \(error)")
        }
    }

    static func vmRequirements(_ path: String) throws -> VMRequirements {
        do {
            return try DocumentLoader.vmRequirements(from: data(path))
        } catch let error as DocumentError {
            throw CommandFailure("\(path): \(error)")
        }
    }
}
