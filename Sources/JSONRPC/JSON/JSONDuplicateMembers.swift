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
