/// Where a decoding problem is, written one way for params and documents alike: member names
/// and array indices, dot-separated (`params.profiles.1.vmx.system.0x48d`, `vmx.system.0x48d`).
public enum CodingPathText {
    /// `path` below `root` (`params`, or `""` for a document's root).
    /// - Returns: The dotted path; `$` for the root of a document.
    public static func render(_ path: [any CodingKey], under root: String) -> String {
        var text = root
        for key in path {
            if !text.isEmpty { text += "." }
            text += key.intValue.map { String($0) } ?? key.stringValue
        }
        return text.isEmpty ? "$" : text
    }
}
