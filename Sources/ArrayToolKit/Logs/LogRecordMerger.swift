// Merges the record streams of several inputs into one stream ordered by time, the way an
// engineer would interleave the logs of several containers by hand. Each input is read forward
// once and only its current record is held, so memory does not grow with the logs. Records with
// the same time keep the order of the inputs on the command line.

/// A k-way merge of `LogRecordStream`s by time.
final class LogRecordMerger {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  private let streams: [LogRecordStream]
  /// The only stream when there is one, read without the heap, and without its reference count
  /// (which `streams` keeps): retained and released per record it cost more than the copy.
  private let single: Unmanaged<LogRecordStream>?
  private let failed: (Error) -> Void
  /// Indices into `streams` of the inputs that still have a record, as a binary min-heap.
  @exclusivity(unchecked) private var heap: [Int] = []
  @exclusivity(unchecked) private var started = false
  /// The stream whose record was handed out last; it moves on at the next call.
  @exclusivity(unchecked) private var lastTaken: Int?
  private let trailingPadding = CacheLinePadding()

  /// - Parameter failed: told about an input that cannot be read on; that input ends there and
  ///   the others go on.
  init(streams: [LogRecordStream], failed: @escaping (Error) -> Void) {
    self.streams = streams
    single = streams.count == 1 ? Unmanaged.passUnretained(streams[0]) : nil
    self.failed = failed
  }

  /// Moves to the next record in time order and copies it into `batch`.
  /// - Returns: `false` when all inputs ended.
  @inline(__always)
  func appendNext(to batch: RecordBatch) -> Bool {
    guard let single else {
      guard let record = next() else { return false }
      batch.append(record)
      return true
    }
    // The record is read where its stream keeps it: returned, it would be retained and
    // released once per record, a write to its header that costs more than the copy.
    return single._withUnsafeGuaranteedRef { stream in
      do {
        guard try stream.advance() else { return false }
        batch.append(stream.current)
        return true
      } catch {
        failed(error)
        return false
      }
    }
  }

  /// The next record in time order, valid until the next call; `nil` when all inputs ended.
  func next() -> LogRecord? {
    if let single {
      let stream = single.takeUnretainedValue()
      do {
        return try stream.advance() ? stream.current : nil
      } catch {
        failed(error)
        return nil
      }
    }
    if !started {
      started = true
      for index in streams.indices where advance(index) {
        heap.append(index)
        siftUp(heap.count - 1)
      }
    } else if let last = lastTaken {
      if advance(last) {
        siftDown(0)
      } else {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
      }
    }
    guard let top = heap.first else { return nil }
    lastTaken = top
    return streams[top].current
  }

  private func advance(_ index: Int) -> Bool {
    do {
      return try streams[index].advance()
    } catch {
      failed(error)
      return false
    }
  }

  @inline(__always)
  private func precedes(_ a: Int, _ b: Int) -> Bool {
    let first = streams[a].current.time?.milliseconds ?? Int64.min
    let second = streams[b].current.time?.milliseconds ?? Int64.min
    return first < second || (first == second && a < b)
  }

  private func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[child], heap[parent]) else { return }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { return }
      var smallest = left
      if left + 1 < heap.count, precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
      guard precedes(heap[smallest], heap[parent]) else { return }
      heap.swapAt(smallest, parent)
      parent = smallest
    }
  }
}
