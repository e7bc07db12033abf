// The summary table that ends the text report (and, as a Markdown table, the Markdown one): one
// row per incident with its severity, class, window, counts and places. Its columns are as wide
// as their widest cell, so every cell is written and measured before the first row is laid out;
// the cells of a chunk of incidents share one text.

extension IncidentReport {
  static let summaryHeader = [
    "#", "Severity", "Class", "First", "Last", "Duration", "Errors", "Workers", "Hosts / files",
  ]

  /// Writes the summary table, header first, its columns aligned, each row indented by two
  /// spaces and without spaces at its end.
  func writeSummaryTable(into text: inout ReportText) {
    var header = SummaryCells()
    for name in IncidentReport.summaryHeader { header.add { $0.write(name) } }
    let chunks = [header] + summaryCells()
    var widths = [Int](repeating: 0, count: SummaryCells.columns)
    for chunk in chunks {
      for (index, width) in chunk.widths.enumerated() {
        widths[index % SummaryCells.columns] = max(widths[index % SummaryCells.columns], width)
      }
    }
    for chunk in chunks { chunk.writeRows(into: &text, widths: widths) }
  }

  /// One row of cells per incident.
  func summaryRows() -> [[String]] {
    summaryCells().flatMap { $0.rows }
  }

  /// The cells of every incident's row, a chunk of incidents at a time.
  private func summaryCells() -> [SummaryCells] {
    let bursts = analysis.bursts
    return OrderedParallelMap.mapChunks(bursts.count) { indices in
      var cells = SummaryCells()
      for index in indices { writeSummaryRow(index, bursts[index], into: &cells) }
      return cells
    }
  }

  /// Writes the cells of incident `index`.
  private func writeSummaryRow(_ index: Int, _ burst: LogBurst, into cells: inout SummaryCells) {
    cells.add { $0.write(index + 1) }
    cells.add { $0.write(burst.severity.rawValue) }
    cells.add { $0.write(burst.errorClass.rawValue) }
    cells.add { $0 += burst.first.map { "\($0)" } ?? "unknown" }
    cells.add { cell in
      guard let last = burst.last else { return cell.write("–") }
      if let first = burst.first, ReportText.isSameDay(first, last) {
        cell += "\(clock: last)"
      } else {
        cell += "\(last)"
      }
    }
    cells.add { $0 += "\(duration: burst.duration)" }
    cells.add { $0.write(burst.count) }
    cells.add { cell in
      guard let range = burst.workerRange else { return cell.write("–") }
      cell.write(range.lowerBound)
      if range.count > 1 { cell += "–\(range.upperBound) (\(burst.workerCount))" }
    }
    cells.add { cell in
      let places: ReportText =
        "\(list: burst.hosts.map { burst.endpoint(of: $0) } + burst.files, limit: 2)"
      cell += places.isEmpty ? "–" : places
    }
  }
}

/// Cells of the summary table, row after row, written one after another into one text.
struct SummaryCells {
  static let columns = IncidentReport.summaryHeader.count

  private var text = ReportText()
  /// Where each cell ends in `text`.
  private var ends: [Int] = []
  /// How many characters each cell is.
  private(set) var widths: [Int] = []

  /// Adds a cell, which `write` writes.
  mutating func add(_ write: (inout ReportText) -> Void) {
    let start = text.count
    write(&text)
    ends.append(text.count)
    widths.append(text.characterCount(from: start))
  }

  /// The rows, each a String per cell.
  var rows: [[String]] {
    text.withBytes { bytes in
      stride(from: 0, to: ends.count, by: SummaryCells.columns).map { row in
        (row..<(row + SummaryCells.columns)).map { cell in
          String(decoding: bytes[range(of: cell)], as: UTF8.self)
        }
      }
    }
  }

  /// Writes the rows, each cell padded to the width of its column, two spaces between columns.
  func writeRows(into output: inout ReportText, widths columnWidths: [Int]) {
    text.withBytes { bytes in
      for row in stride(from: 0, to: ends.count, by: SummaryCells.columns) {
        output.write("  ")
        let start = output.count
        for column in 0..<SummaryCells.columns {
          if column > 0 { output.write("  ") }
          output.write(UnsafeBufferPointer(rebasing: bytes[range(of: row + column)]))
          output.writeSpaces(columnWidths[column] - widths[row + column])
        }
        output.trimTrailingSpaces(after: start)
        output.write("\n")
      }
    }
  }

  private func range(of cell: Int) -> Range<Int> {
    (cell == 0 ? 0 : ends[cell - 1])..<ends[cell]
  }
}
