// Records copied out of their streams so that another thread can analyse them while the next
// ones are read. A batch keeps the fields of each record side by side and the texts in one byte
// arena that the analysis reads in place; only the texts the analysis reads are copied
// (errors, warnings and lines that open with `[`, which may name a worker's file), so a batch
// of routine lines costs a few bytes a record. Batches are reused: filling one again allocates
// nothing once it has grown.

/// A run of records in the order the analysis takes them, with the read failures between them.
final class RecordBatch {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  struct Entry {
    var time: Int64
    var hasTime: Bool
    var timeIsInvalid: Bool
    var isBareTraceback: Bool
    var level: LogLevel
    var status: Int
    var workerField: Int?
    var continuationLines: Int
    var input: Int
    var line: Int
    var textStart: Int
    var textCount: Int
  }

  /// The entries, in memory of a fixed size: a batch is full at `recordLimit` of them, and an
  /// array's append (its capacity and uniqueness checks) cost the reading thread more than the
  /// entry it stores.
  private let entryStorage: UnsafeMutablePointer<Entry>
  @exclusivity(unchecked) private(set) var count = 0
  /// The texts, end to end. It only grows while the batch is filled, before any text is read
  /// from it, so the views `text(_:)` gives stay valid until the batch is filled again.
  @exclusivity(unchecked) private var arena: UnsafeMutableBufferPointer<UInt8>
  @exclusivity(unchecked) private var arenaCount = 0
  /// Failures to read an input, each with the number of records that came before it.
  @exclusivity(unchecked) private(set) var failures: [(before: Int, error: Error)] = []
  private let trailingPadding = CacheLinePadding()

  /// A batch is handed over at this many records or this many bytes of text.
  static let recordLimit = 4096
  static let textLimit = 1 << 20

  init() {
    entryStorage = .allocate(capacity: RecordBatch.recordLimit)
    arena = .allocate(capacity: RecordBatch.textLimit + 2 * LogRecord.textLimit)
  }

  deinit {
    entryStorage.deinitialize(count: count)
    entryStorage.deallocate()
    arena.deallocate()
  }

  var isFull: Bool {
    count >= RecordBatch.recordLimit || arenaCount >= RecordBatch.textLimit
  }

  var isEmpty: Bool { count == 0 && failures.isEmpty }

  func removeAll() {
    entryStorage.deinitialize(count: count)
    count = 0
    arenaCount = 0
    failures.removeAll()
  }

  /// Copies `record`, with its text when the analysis will read it.
  @inline(__always)
  func append(_ record: LogRecord) {
    let start = arenaCount
    if LogRecord.analysisReadsText(
      isError: record.isError, level: record.level, firstByte: record.textBuffer.first)
    {
      do {
        let text = record.textBuffer.contents
        if arenaCount + text.count > arena.count {
          // A record's first line may be as long as a read buffer: room is made for it.
          let larger = UnsafeMutableBufferPointer<UInt8>.allocate(
            capacity: max(2 * arena.count, arenaCount + text.count))
          _ = larger.initialize(from: arena[..<arenaCount])
          arena.deallocate()
          arena = larger
        }
        if let source = text.baseAddress {
          (arena.baseAddress! + arenaCount).initialize(from: source, count: text.count)
        }
        arenaCount += text.count
      }
    }
    (entryStorage + count).initialize(
      to: Entry(
        time: record.time?.milliseconds ?? 0, hasTime: record.time != nil,
        timeIsInvalid: record.timeIsInvalid, isBareTraceback: record.isBareTraceback,
        level: record.level, status: record.status, workerField: record.workerField,
        continuationLines: record.continuationLines, input: record.input, line: record.line,
        textStart: start, textCount: arenaCount - start))
    count += 1
  }

  func appendFailure(_ error: Error) {
    failures.append((count, error))
  }

  /// Fills `record` with the fields of the entry at `index`, and gives its text: empty when the
  /// batch did not keep it. The record's own text is left empty.
  @inline(__always)
  func load(_ index: Int, into record: LogRecord) -> UnsafeBufferPointer<UInt8> {
    let entry = entryStorage[index]
    record.time = entry.hasTime ? LogTime(milliseconds: entry.time) : nil
    record.timeIsInvalid = entry.timeIsInvalid
    record.isBareTraceback = entry.isBareTraceback
    record.level = entry.level
    record.status = entry.status
    record.workerField = entry.workerField
    record.continuationLines = entry.continuationLines
    record.input = entry.input
    record.line = entry.line
    return UnsafeBufferPointer(
      rebasing: arena[entry.textStart..<(entry.textStart + entry.textCount)])
  }
}
