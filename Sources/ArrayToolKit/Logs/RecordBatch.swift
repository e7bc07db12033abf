// Records copied out of their streams so that another thread can analyse them while the next
// ones are read. A batch keeps the fields of each record side by side and the texts in one byte
// arena; only the texts the analysis reads are copied (errors, warnings and lines that open
// with `[`, which may name a worker's file), so a batch of routine lines costs a few bytes a
// record. Batches are reused: filling one again allocates nothing once it has grown.

/// A run of records in the order the analysis takes them, with the read failures between them.
final class RecordBatch {
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

  @exclusivity(unchecked) private(set) var entries: [Entry] = []
  @exclusivity(unchecked) private(set) var arena: [UInt8] = []
  /// Failures to read an input, each with the number of records that came before it.
  @exclusivity(unchecked) private(set) var failures: [(before: Int, error: Error)] = []

  /// A batch is handed over at this many records or this many bytes of text.
  static let recordLimit = 4096
  static let textLimit = 1 << 20

  init() {
    entries.reserveCapacity(RecordBatch.recordLimit)
    arena.reserveCapacity(RecordBatch.textLimit + LogRecord.textLimit)
  }

  var isFull: Bool {
    entries.count >= RecordBatch.recordLimit || arena.count >= RecordBatch.textLimit
  }

  var isEmpty: Bool { entries.isEmpty && failures.isEmpty }

  func removeAll() {
    entries.removeAll(keepingCapacity: true)
    arena.removeAll(keepingCapacity: true)
    failures.removeAll()
  }

  /// Copies `record`, with its text when the analysis will read it.
  func append(_ record: LogRecord) {
    let start = arena.count
    if record.isError || record.level == .warning || record.text.first == 0x5B {
      arena.append(contentsOf: record.text)
    }
    entries.append(
      Entry(
        time: record.time?.milliseconds ?? 0, hasTime: record.time != nil,
        timeIsInvalid: record.timeIsInvalid, isBareTraceback: record.isBareTraceback,
        level: record.level, status: record.status, workerField: record.workerField,
        continuationLines: record.continuationLines, input: record.input, line: record.line,
        textStart: start, textCount: arena.count - start))
  }

  func appendFailure(_ error: Error) {
    failures.append((entries.count, error))
  }

  /// Fills `record` with the entry at `index`; its text is empty when the batch did not keep it.
  func load(_ index: Int, into record: LogRecord) {
    let entry = entries[index]
    record.time = entry.hasTime ? LogTime(milliseconds: entry.time) : nil
    record.timeIsInvalid = entry.timeIsInvalid
    record.isBareTraceback = entry.isBareTraceback
    record.level = entry.level
    record.status = entry.status
    record.workerField = entry.workerField
    record.continuationLines = entry.continuationLines
    record.input = entry.input
    record.line = entry.line
    if !record.text.isEmpty { record.text.removeAll(keepingCapacity: true) }
    if entry.textCount > 0 {
      arena.withUnsafeBufferPointer { bytes in
        record.text.append(
          contentsOf: UnsafeBufferPointer(rebasing: bytes[entry.textStart..<(entry.textStart + entry.textCount)]))
      }
    }
  }
}
