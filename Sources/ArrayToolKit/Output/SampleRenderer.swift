// Renders the rows of a block chunk as the text VictoriaMetrics imports: JSON lines (one series
// per line with its values and timestamps) or Prometheus exposition lines (one sample per line).

/// The text formats samples are written in.
public enum SampleFormat: String, CaseIterable, Sendable {
  /// VictoriaMetrics `/api/v1/import` JSON lines.
  case jsonl
  /// Prometheus text exposition with millisecond timestamps.
  case prometheus
}

/// Turns chunks into import text.
public enum SampleRenderer {
  /// Appends the samples of `series` (value positions of a row) in `chunk` to `output`.
  /// - Returns: the number of samples written.
  @discardableResult
  public static func render(
    _ chunk: DatChunk, layout: SeriesLayout, format: SampleFormat,
    series: Range<Int>? = nil, into output: ByteBuffer
  ) -> Int {
    let range = series ?? 0..<layout.count
    switch format {
    case .jsonl: renderJSONLines(chunk, layout: layout, series: range, into: output)
    case .prometheus: renderPrometheus(chunk, layout: layout, series: range, into: output)
    }
    return range.count * chunk.rowCount
  }

  /// Millisecond timestamp of row `row` of `chunk`.
  @inline(__always)
  static func timestamp(_ chunk: DatChunk, row: Int) -> Int64 {
    let header = chunk.block.header
    return (header.startTime + Int64(chunk.firstRow + row) * header.archive) * 1000
  }

  private static func renderJSONLines(
    _ chunk: DatChunk, layout: SeriesLayout, series: Range<Int>, into output: ByteBuffer
  ) {
    let lines = JSONLines(chunk, layout: layout)
    for position in series { lines.append(series: position, into: output) }
  }

  private static func renderPrometheus(
    _ chunk: DatChunk, layout: SeriesLayout, series: Range<Int>, into output: ByteBuffer
  ) {
    let width = layout.count
    let stamps = (0..<chunk.rowCount).map { timestamp(chunk, row: $0) }
    // Put together once per series, the prefix is then one copy per sample, as when every
    // series had its own.
    let prefix = ByteBuffer(capacity: 512)
    for position in series {
      let (parts, valueScale) = layout.series(position)
      prefix.removeAll()
      layout.prometheus.append(parts, to: prefix)
      let scale = DecimalScale(valueScale)
      for row in 0..<chunk.rowCount {
        output.reserve(prefix.count + DecimalWriter.maxValueBytes + 22)
        output.append(prefix.bytes)
        let raw = chunk.value(row: row, valueIndex: position, valuesPerRow: width)
        var end = DecimalWriter.write(raw, scale: scale, at: output.tail)
        end.pointee = UInt8(ascii: " ")
        end = DecimalWriter.write(stamps[row], at: end + 1)
        end.pointee = 0x0A
        output.commit(upTo: end + 1)
      }
    }
  }
}

/// The JSON lines of one chunk, one per series, written one at a time so that a caller can cut
/// batches between any two lines. The timestamps, the same on every line, are rendered once.
public struct JSONLines {
  public let chunk: DatChunk
  public let layout: SeriesLayout
  private let suffix: [UInt8]

  public init(_ chunk: DatChunk, layout: SeriesLayout) {
    self.chunk = chunk
    self.layout = layout
    var suffix: [UInt8] = Array("],\"timestamps\":[".utf8)
    for row in 0..<chunk.rowCount {
      if row > 0 { suffix.append(UInt8(ascii: ",")) }
      JSONText.appendInteger(SampleRenderer.timestamp(chunk, row: row), to: &suffix)
    }
    suffix += [UInt8(ascii: "]"), UInt8(ascii: "}"), 0x0A]
    self.suffix = suffix
  }

  /// Lines in the chunk: one per value position of a row.
  public var count: Int { chunk.rowCount > 0 ? layout.count : 0 }

  /// Appends the line of value position `position`.
  @inline(__always)
  public func append(series position: Int, into output: ByteBuffer) {
    let width = layout.count
    let rows = chunk.rowCount
    let (parts, valueScale) = layout.series(position)
    output.reserve(
      layout.json.length(parts) + rows * (DecimalWriter.maxValueBytes + 1) + suffix.count)
    layout.json.append(parts, to: output)
    let scale = DecimalScale(valueScale)
    var end = output.tail
    for row in 0..<rows {
      if row > 0 {
        end.pointee = UInt8(ascii: ",")
        end += 1
      }
      let raw = chunk.value(row: row, valueIndex: position, valuesPerRow: width)
      end = DecimalWriter.write(raw, scale: scale, at: end)
    }
    output.commit(upTo: end)
    output.append(suffix)
  }
}
