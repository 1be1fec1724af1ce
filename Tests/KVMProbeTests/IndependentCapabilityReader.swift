import Foundation

/// An independent reading of KVM_CHECK_EXTENSION: a small C program compiled at test time with the
/// Swift toolchain's clang, so the comparison does not share a single line with the code under test.
enum IndependentCapabilityReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static let source = """
        #include <fcntl.h>
        #include <linux/kvm.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/ioctl.h>

        int main(int argc, char **argv) {
            int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
            if (kvm < 0) { perror("open /dev/kvm"); return 2; }
            for (int i = 1; i < argc; i++) {
                int cap = atoi(argv[i]);
                int value = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
                if (value < 0) { perror("KVM_CHECK_EXTENSION"); return 3; }
                printf("%d %d\\n", cap, value);
            }
            return 0;
        }
        """

    /// The Swift toolchain's clang: /opt/swift/usr/bin/clang, or the `clang` next to `swift` on PATH.
    static func clangPath() throws -> String {
        var candidates = ["/opt/swift/usr/bin/clang"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/swift") {
            candidates.append("\(directory)/clang")
        }
        guard let clang = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure(description: "no clang found among \(candidates)")
        }
        return clang
    }

    /// Compiles the program, runs it for `capabilities`, and returns capability → value.
    static func read(_ capabilities: [Int32]) throws -> [Int32: Int32] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmcaps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sourceFile = directory.appendingPathComponent("caps.c")
        let binary = directory.appendingPathComponent("caps")
        try Data(source.utf8).write(to: sourceFile)
        _ = try run(try clangPath(), ["-O1", "-o", binary.path, sourceFile.path])
        let output = try run(binary.path, capabilities.map(String.init))
        var values: [Int32: Int32] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let capability = Int32(fields[0]), let value = Int32(fields[1]) else {
                throw Failure(description: "unparseable output line '\(line)'")
            }
            values[capability] = value
        }
        return values
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "\(executable) exited with \(process.terminationStatus): \(String(decoding: errorData, as: UTF8.self))"
            )
        }
        return String(decoding: outputData, as: UTF8.self)
    }
}
