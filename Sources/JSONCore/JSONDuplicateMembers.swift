extension JSONValue {
    /// The first member name that appears twice in one object, anywhere in this value, with the path to it.
    ///
    /// JSON parsers disagree on duplicates (most keep the last value, Foundation's `JSONDecoder` the first),
    /// so a text with one can mean different things to different tools; evmcsd rejects it.
    ///
    /// ```swift
    /// let value = try JSONParser().parse(#"{"vmx":{"0x48d":"0x1","0x48d":"0x2"}}"#)
    /// value.firstDuplicateMember?.path  // ["vmx", "0x48d"]
    /// ```
    public var firstDuplicateMember: DuplicateMember? {
        var pending: [(value: JSONValue, path: [String])] = [(self, [])]
        while let (value, path) = pending.popLast() {
            switch value {
            case .object(let members):
                var seen = Set<String>(minimumCapacity: members.count)
                for member in members where !seen.insert(member.key).inserted {
                    return DuplicateMember(path: path + [member.key])
                }
                for member in members.reversed() { pending.append((member.value, path + [member.key])) }
            case .array(let elements):
                for (index, element) in elements.enumerated().reversed() {
                    pending.append((element, path + [String(index)]))
                }
            default:
                break
            }
        }
        return nil
    }

    /// A member name that appears twice in one object.
    public struct DuplicateMember: Sendable, Hashable {
        /// Member names and array indices from the outermost value to the duplicate member, e.g.
        /// `["vmx", "0x48d"]`.
        public var path: [String]

        /// The duplicated name.
        public var key: String { self.path.last ?? "" }

        /// `duplicate member "<key>"`, as error reasons say it.
        public var reason: String { "duplicate member \"\(self.key)\"" }
    }
}

extension JSONParser {
    /// Why `data` cannot be taken as one unambiguous document: `vmx.0x48d: duplicate member
    /// "0x48d"` for the first member named twice in one object, or `nil` (also when `data` is
    /// not JSON at all: the document's own decoder then says why).
    ///
    /// Other tools keep the last of two equal names, Foundation's decoder the first; a document
    /// that names a member twice means different things to different readers.
    public static func duplicateMemberProblem<Bytes: Collection<UInt8>>(in data: Bytes) -> String? {
        guard let duplicate = (try? JSONParser(maximumDepth: 512).parse(data))?.firstDuplicateMember else { return nil }
        return "\(duplicate.path.joined(separator: ".")): \(duplicate.reason)"
    }
}

