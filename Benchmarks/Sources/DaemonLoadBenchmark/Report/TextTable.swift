/// A plain-text table: the first column left-aligned, the others right-aligned.
struct TextTable {
    var title: String
    var headers: [String]
    var rows: [[String]] = []
    /// Lines printed under the table.
    var notes: [String] = []

    func render() -> String {
        let columns = self.headers.count
        var widths = self.headers.map(\.count)
        for row in self.rows {
            for (index, cell) in row.prefix(columns).enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var text = "\(self.title)\n"
        text += line(self.headers) + "\n"
        text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in self.rows { text += line(row) + "\n" }
        for note in self.notes { text += note + "\n" }
        return text
    }
}

/// Number formatting for the tables.
enum Format {
    /// Fixed decimals, e.g. `12.3`.
    static func decimal(_ value: Double, _ decimals: Int = 1) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if decimals == 0 { return String(Int(rounded)) }
        let fraction = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
        if !text.contains(".") { text += "." }
        return text + String(repeating: "0", count: max(0, decimals - fraction))
    }

    /// A whole number with thousands separators, e.g. `52,340`.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return String(grouped.reversed())
    }

    /// Mebibytes with one decimal.
    static func mebibytes(_ bytes: Double) -> String { decimal(bytes / 1_048_576) }

    /// `median (min–max)` when the samples differ, else the value.
    static func spread(_ spread: Spread?, _ format: (Double) -> String) -> String {
        guard let spread else { return "-" }
        guard spread.count > 1, spread.minimum != spread.maximum else { return format(spread.median) }
        return "\(format(spread.median)) (\(format(spread.minimum))–\(format(spread.maximum)))"
    }

    /// `a/b` as `1.23×`.
    static func ratio(_ numerator: Double?, _ denominator: Double?) -> String {
        guard let numerator, let denominator, denominator > 0 else { return "-" }
        return decimal(numerator / denominator, 2) + "×"
    }
}
