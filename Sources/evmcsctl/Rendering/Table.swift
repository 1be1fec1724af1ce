/// A plain-text table with left-aligned columns sized to their widest cell.
struct Table {
    private var rows: [[String]] = []
    /// Visible width of each cell (ANSI escapes excluded), kept alongside the text.
    private var widths: [[Int]] = []

    var isEmpty: Bool { rows.isEmpty }

    /// Appends a row; `plain` gives the unstyled text of each cell for width computation when
    /// `cells` carry ANSI styles.
    mutating func add(_ cells: [String], plain: [String]? = nil) {
        rows.append(cells)
        widths.append((plain ?? cells).map(\.count))
    }

    /// The rows, each indented by `indent` spaces, columns separated by two spaces.
    func render(indent: Int = 2) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var columnWidths = Array(repeating: 0, count: columns)
        for row in widths {
            for (column, width) in row.enumerated() { columnWidths[column] = max(columnWidths[column], width) }
        }
        let prefix = String(repeating: " ", count: indent)
        return zip(rows, widths).map { row, rowWidths in
            var line = prefix
            for (column, cell) in row.enumerated() {
                line += cell
                if column < row.count - 1 {
                    line += String(repeating: " ", count: columnWidths[column] - rowWidths[column] + 2)
                }
            }
            return line
        }
    }
}
