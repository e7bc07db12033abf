// Reads the records of a log on a thread of its own and hands them, in batches and in order, to
// the thread that analyses them. Reading (splitting lines, parsing timestamps and levels,
// joining tracebacks, merging inputs) and analysing (classifying errors, finding bursts) cost
// about the same, so on two cores they take half the time side by side. The analysis sees the
// same records in the same order as from the merger itself; only a few batches are in flight,
// so memory stays flat whatever the size of the log. Where no thread can be started (a
// container at its process limit), the batches are filled on the calling thread instead.

import Foundation

/// The records of a `LogRecordMerger`, read ahead on another thread.
final class RecordPipe: @unchecked Sendable {
  private let filled: BlockingQueue<RecordBatch>
  private let empty: BlockingQueue<RecordBatch>
  private let failed: (Error) -> Void
  /// The reading side when it runs on the calling thread; `nil` while a thread runs it.
  private let inline: Reader?
  /// The record `forEach` hands out, refilled for each.
  private let current = LogRecord()
  /// The one batch, filled again and again, when reading runs on the calling thread.
  private let inlineBatch: RecordBatch?

  /// How many batches are in flight; the reader waits when all of them are full.
  static let depth = 4

  /// Starts reading `streams`.
  /// - Parameters:
  ///   - failed: told, on the calling thread and at its place among the records, about an
  ///     input that cannot be read on.
  ///   - threaded: whether to read on a thread of its own; reading falls back to the calling
  ///     thread when the thread cannot be created.
  init(streams: [LogRecordStream], threaded: Bool = true, failed: @escaping (Error) -> Void) {
    filled = BlockingQueue(capacity: RecordPipe.depth)
    empty = BlockingQueue(capacity: RecordPipe.depth)
    self.failed = failed
    let reader = Reader(streams: streams, filled: filled, empty: empty)
    if threaded && RecordPipe.start(reader) {
      for _ in 0..<RecordPipe.depth { empty.push(RecordBatch()) }
      inline = nil
      inlineBatch = nil
    } else {
      inline = reader
      inlineBatch = RecordBatch()
    }
  }

  /// Runs `reader` on a new thread; false when none can be made (see `SystemThread`).
  private static func start(_ reader: Reader) -> Bool {
    SystemThread.detach { reader.run() }
  }

  /// Calls `body` with every record in time order and its text (kept for errors, warnings and
  /// lines opening with `[`, empty for others); both are valid only during the call.
  ///
  /// A batch is taken once and its records read in a loop: a `next()` that handed out one
  /// record at a time retained the batch and the record for each, writes to two reference
  /// counts per record on lines the reading thread works next to.
  func forEach(_ body: (LogRecord, UnsafeBufferPointer<UInt8>) -> Void) {
    let record = current
    while let batch = nextBatch() {
      var failureIndex = 0
      let failures = batch.failures
      for index in 0..<batch.count {
        while failureIndex < failures.count && failures[failureIndex].before <= index {
          failed(failures[failureIndex].error)
          failureIndex += 1
        }
        body(record, batch.load(index, into: record))
      }
      for failure in failures[failureIndex...] { failed(failure.error) }
      if inline == nil { empty.push(batch) }
    }
  }

  /// The next batch of records, filled on the reading thread or, without one, here.
  private func nextBatch() -> RecordBatch? {
    guard let inline else { return filled.pop() }
    guard !inline.done, let batch = inlineBatch else { return nil }
    inline.done = !inline.fill(batch)
    return batch.isEmpty ? nil : batch
  }

  /// The reading side: fills batches from the merger, and on its own thread passes them on.
  private final class Reader: @unchecked Sendable {
    let filled: BlockingQueue<RecordBatch>
    let empty: BlockingQueue<RecordBatch>
    /// The batch being filled; the merger reports a failure while it is asked for the next
    /// record, so the failure lands between the records it came between.
    private final class Target {
      var batch: RecordBatch?
    }
    private let target = Target()
    private let merger: LogRecordMerger
    /// For the calling thread's use: whether the inputs have ended.
    var done = false

    init(
      streams: [LogRecordStream], filled: BlockingQueue<RecordBatch>,
      empty: BlockingQueue<RecordBatch>
    ) {
      self.filled = filled
      self.empty = empty
      let target = self.target
      merger = LogRecordMerger(streams: streams) { target.batch?.appendFailure($0) }
    }

    /// Empties `batch` and fills it up to its limits.
    /// - Returns: `false` when the inputs ended while filling it.
    func fill(_ batch: RecordBatch) -> Bool {
      batch.removeAll()
      target.batch = batch
      defer { target.batch = nil }
      let merger = self.merger
      while merger.appendNext(to: batch) {
        if batch.isFull { return true }
      }
      return false
    }

    func run() {
      defer { filled.close() }
      while let batch = empty.pop() {
        let more = fill(batch)
        if !batch.isEmpty { filled.push(batch) }
        if !more { return }
      }
    }
  }
}
