// Reads one .dat file end to end: the decoder, the serial cross-check against the file name, the
// series layout of each block (worked out once per distinct layout) and a summary of what was
// read. Export, inspect, verify and import all read .dat files through this.

/// What reading one .dat file found.
public struct DatFileSummary: Sendable {
  public var path: String
  public var member: String?
  public var header: DatFileHeader?
  public var fileName: PerfFileName?
  public var blocks = 0
  public var rows = 0
  public var samples = 0
  /// Earliest and latest sample time, Unix milliseconds.
  public var firstTimestamp: Int64?
  public var lastTimestamp: Int64?
  public var intervals: Set<Int64> = []
  public var controllerIDs: Set<String> = []
  /// Resource type id → element count (the largest seen in a block).
  public var elementCounts: [Int: Int] = [:]
  public var metricIDs: Set<Int> = []
  public var unknownMetricIDs: Set<Int> = []
  public var unknownResourceIDs: Set<Int> = []
  public var collisions: Set<SeriesCollision> = []
  /// Faults that do not stop reading (a serial that disagrees with the file name).
  public var warnings: [InputFault] = []
  /// The fault that ended reading early; samples before it were read and are good.
  public var fault: InputFault?

  public var location: String { member.map { "\(path)!\($0)" } ?? path }
}

/// Reads a .dat stream and hands each chunk with its series layout to a visitor.
public struct DatFileReader {
  public let layouts: SeriesLayoutCache
  public let chunkBytes: Int
  /// Most rows per chunk, and so most samples per exported line.
  public var chunkRows = DatDecoder.maxChunkRows

  public init(catalog: SeriesCatalog, chunkBytes: Int = 1 << 20) {
    self.init(layouts: SeriesLayoutCache(catalog: catalog), chunkBytes: chunkBytes)
  }

  /// A reader that shares `layouts` with other readers of the same run.
  public init(layouts: SeriesLayoutCache, chunkBytes: Int = 1 << 20) {
    self.layouts = layouts
    self.chunkBytes = chunkBytes
  }

  /// Decodes `source` to its end.
  ///
  /// Input faults end up in the summary, located with `path` and `member`; errors thrown by
  /// `visit` (a closed pipe, a failed delivery) are thrown on.
  /// - Parameters:
  ///   - name: the file name to read the serial from (the `.dat` or `.tgz` name).
  public func read(
    _ source: ByteSource, length: Int64?, name: String, path: String, member: String?,
    visit: (DatChunk, SeriesLayout) throws -> Void
  ) throws -> DatFileSummary {
    var summary = DatFileSummary(path: path, member: member)
    summary.fileName = PerfFileName(name)
    let decoder = DatDecoder(
      source: source, length: length, chunkBytes: chunkBytes, chunkRows: chunkRows)
    var seen: Set<Int> = []
    do {
      let header = try decoder.readFileHeader()
      summary.header = header
      if let mismatch = DatFileReader.serialMismatch(
        summary.fileName, header, path: path, member: member)
      {
        summary.warnings.append(mismatch)
      }
      var lastBlock = -1
      while let chunk = try decoder.nextChunk() {
        let blockHeader = chunk.block.header
        let layout = layouts.layout(for: blockHeader, serial: header.serial)
        if seen.insert(layout.id).inserted {
          summary.collisions.formUnion(layout.collisions)
          summary.unknownMetricIDs.formUnion(layout.unknownMetricIDs)
          summary.unknownResourceIDs.formUnion(layout.unknownResourceIDs)
        }
        if chunk.block.index != lastBlock {
          lastBlock = chunk.block.index
          note(block: blockHeader, into: &summary)
        }
        try visit(chunk, layout)
        summary.rows += chunk.rowCount
        summary.samples += chunk.rowCount * layout.count
        if chunk.rowCount > 0 && layout.count > 0 {
          let first = SampleRenderer.timestamp(chunk, row: 0)
          let last = SampleRenderer.timestamp(chunk, row: chunk.rowCount - 1)
          summary.firstTimestamp = min(summary.firstTimestamp ?? first, first)
          summary.lastTimestamp = max(summary.lastTimestamp ?? last, last)
        }
      }
    } catch let fault as InputFault {
      summary.fault = fault.path.isEmpty ? fault.located(path: path, member: member) : fault
    }
    summary.blocks = decoder.blocksRead
    return summary
  }

  /// The fault of a file whose name gives another serial than its header; nil when they agree
  /// or the name gives none.
  static func serialMismatch(
    _ fileName: PerfFileName?, _ header: DatFileHeader, path: String, member: String?
  ) -> InputFault? {
    guard let named = fileName?.serial, named != header.serial else { return nil }
    return InputFault(
      .serialMismatch, at: 36,
      "the file name says serial \(named) but the file header says \(header.serial)",
      path: path, member: member)
  }

  private func note(block header: DatBlockHeader, into summary: inout DatFileSummary) {
    summary.intervals.insert(header.archive)
    if let controller = header.controllerID { summary.controllerIDs.insert(controller) }
    for resource in header.resources {
      summary.elementCounts[resource.typeID] = max(
        summary.elementCounts[resource.typeID] ?? 0, resource.elementIDs.count)
      summary.metricIDs.formUnion(resource.metricIDs)
    }
  }
}
