// Reads the records of a log on a thread of its own and hands them, in batches and in order, to
// the thread that analyses them. Reading (splitting lines, parsing timestamps and levels,
// joining tracebacks, merging inputs) and analysing (classifying errors, finding bursts) cost
// about the same, so on two cores they take half the time side by side. The analysis sees the
// same records in the same order as from the merger itself; only a few batches are in flight,
// so memory stays flat whatever the size of the log.

import Foundation

/// The records of a `LogRecordMerger`, read ahead on another thread.
final class RecordPipe: @unchecked Sendable {
  private let filled: BlockingQueue<RecordBatch>
  private let empty: BlockingQueue<RecordBatch>
  private let failed: (Error) -> Void
  /// The record handed out by `next()`, refilled by each call.
  private let current = LogRecord()
  @exclusivity(unchecked) private var batch: RecordBatch?
  @exclusivity(unchecked) private var index = 0
  @exclusivity(unchecked) private var failureIndex = 0

  /// How many batches are in flight; the reader waits when all of them are full.
  static let depth = 4

  /// Starts reading `streams`.
  /// - Parameter failed: told, on the calling thread and at its place among the records, about
  ///   an input that cannot be read on.
  init(streams: [LogRecordStream], failed: @escaping (Error) -> Void) {
    filled = BlockingQueue(capacity: RecordPipe.depth)
    empty = BlockingQueue(capacity: RecordPipe.depth)
    for _ in 0..<RecordPipe.depth { empty.push(RecordBatch()) }
    self.failed = failed
    let reader = Reader(streams: streams, filled: filled, empty: empty)
    Thread.detachNewThread { reader.run() }
  }

  /// The next record in time order and its text (kept for errors, warnings and lines opening
  /// with `[`, empty for others), valid until the next call; `nil` when all inputs ended.
  func next() -> (LogRecord, UnsafeBufferPointer<UInt8>)? {
    while true {
      if let batch {
        while failureIndex < batch.failures.count && batch.failures[failureIndex].before <= index {
          failed(batch.failures[failureIndex].error)
          failureIndex += 1
        }
        if index < batch.entries.count {
          let text = batch.load(index, into: current)
          index += 1
          return (current, text)
        }
        self.batch = nil
        empty.push(batch)
      }
      guard let next = filled.pop() else { return nil }
      batch = next
      index = 0
      failureIndex = 0
    }
  }

  /// The reading side: fills empty batches from the merger and passes them on.
  private final class Reader: @unchecked Sendable {
    let streams: [LogRecordStream]
    let filled: BlockingQueue<RecordBatch>
    let empty: BlockingQueue<RecordBatch>

    init(
      streams: [LogRecordStream], filled: BlockingQueue<RecordBatch>,
      empty: BlockingQueue<RecordBatch>
    ) {
      self.streams = streams
      self.filled = filled
      self.empty = empty
    }

    func run() {
      defer { filled.close() }
      guard var batch = empty.pop() else { return }
      batch.removeAll()
      // The merger reports a failure while it is asked for the next record, so the failure
      // lands between the records it came between.
      let box = BatchBox(batch)
      let merger = LogRecordMerger(streams: streams) { box.batch.appendFailure($0) }
      while let record = merger.next() {
        batch.append(record)
        if batch.isFull {
          filled.push(batch)
          guard let next = empty.pop() else { return }
          batch = next
          batch.removeAll()
          box.batch = batch
        }
      }
      if !batch.isEmpty { filled.push(batch) }
    }
  }

  private final class BatchBox {
    var batch: RecordBatch
    init(_ batch: RecordBatch) { self.batch = batch }
  }
}
