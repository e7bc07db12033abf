// What an export holds, gathered while its files are decoded: files, arrays, controllers, time
// range, intervals, resource types, metric ids, series and samples, and every fault.

/// The totals `inspect` reports for one input (or for all of them).
public struct ExportInventory {
  public var files = 0
  /// Of `files` and their samples, what import would send: a file another input (or another
  /// place in this one) repeats is sent once, from the first.
  public var filesToSend = 0
  public var samplesToSend = 0
  public var filesWithFaults = 0
  public var samples = 0
  public var serials: Set<String> = []
  public var models: Set<String> = []
  public var controllers: Set<String> = []
  public var processors: Set<Int> = []
  public var intervals: Set<Int64> = []
  public var firstTimestamp: Int64?
  public var lastTimestamp: Int64?
  /// Resource type id → the most elements seen for it in one file.
  public var elementCounts: [Int: Int] = [:]
  public var metricIDs: Set<Int> = []
  public var unknownMetricIDs: Set<Int> = []
  public var unknownResourceIDs: Set<Int> = []
  public var collisions: Set<SeriesCollision> = []
  public var faults: [InputFault] = []
  public var warnings: [InputFault] = []
  public var notes: [InputNote] = []
  /// Files import sends once because an earlier input or file is the same.
  public var repeats: [DuplicateInput] = []
  /// Files of one name with other bytes, which import refuses.
  public var conflicts: [NameConflict] = []
  private var distinct = DistinctSeries()
  private var seenLayouts: Set<Int> = []

  public init() {}

  /// Distinct series over all files.
  public var series: Int { distinct.count }

  /// Counts the series of `layout` once per distinct layout object.
  public mutating func add(layout: SeriesLayout) {
    guard seenLayouts.insert(layout.id).inserted else { return }
    distinct.add(layout)
  }

  /// Adds what one file's summary says.
  public mutating func add(_ summary: DatFileSummary) {
    files += 1
    samples += summary.samples
    // The fixed header holds whatever bytes the file starts with; only a file with at least
    // one good block is known to be performance data whose serial and model mean something.
    if let header = summary.header, summary.blocks > 0 {
      serials.insert(header.serial)
      models.insert(header.model)
    }
    if let processor = summary.fileName?.processor { processors.insert(processor) }
    controllers.formUnion(summary.controllerIDs)
    intervals.formUnion(summary.intervals)
    if let first = summary.firstTimestamp {
      firstTimestamp = min(firstTimestamp ?? first, first)
    }
    if let last = summary.lastTimestamp { lastTimestamp = max(lastTimestamp ?? last, last) }
    for (type, count) in summary.elementCounts {
      elementCounts[type] = max(elementCounts[type] ?? 0, count)
    }
    metricIDs.formUnion(summary.metricIDs)
    unknownMetricIDs.formUnion(summary.unknownMetricIDs)
    unknownResourceIDs.formUnion(summary.unknownResourceIDs)
    collisions.formUnion(summary.collisions)
    warnings += summary.warnings
    if let fault = summary.fault {
      faults.append(fault)
      filesWithFaults += 1
    }
  }
}
