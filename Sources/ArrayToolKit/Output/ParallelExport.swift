// Decodes the units of an export on several threads and writes their text in input order, with
// a bound on what each thread may hold back while it waits for its turn.

import Foundation

/// Renders units to one output, in order, using `jobs` threads.
public struct ParallelExport {
  public let catalog: SeriesCatalog
  public let format: SampleFormat
  public let jobs: Int
  /// Bytes a thread renders before it hands them over (and waits if it is not first in line).
  public var flushBytes = 1 << 20

  public init(catalog: SeriesCatalog, format: SampleFormat, jobs: Int) {
    self.catalog = catalog
    self.format = format
    self.jobs = max(1, jobs)
  }

  /// Renders every unit into `output`; `finished` is called for each unit in input order.
  /// - Returns: one summary per unit, in input order.
  public func run(
    units: [DatUnit], output: OutputStream, finished: (DatFileSummary) -> Void
  ) throws -> [DatFileSummary] {
    let reader = PerfUnitReader(catalog: catalog)
    if jobs == 1 || units.count < 2 {
      return try runSerial(units: units, output: output, reader: reader, finished: finished)
    }
    return try runParallel(units: units, output: output, reader: reader, finished: finished)
  }

  private func runSerial(
    units: [DatUnit], output: OutputStream, reader: PerfUnitReader,
    finished: (DatFileSummary) -> Void
  ) throws -> [DatFileSummary] {
    var summaries: [DatFileSummary] = []
    let buffer = ByteBuffer(capacity: bufferCapacity)
    for unit in units {
      let summary = try reader.read(unit) { chunk, layout in
        try render(chunk, layout: layout, into: buffer) { full in
          try output.write(bytes: full.bytes)
          full.removeAll()
          return full
        }
      }
      try output.write(bytes: buffer.bytes)
      buffer.removeAll()
      finished(summary)
      summaries.append(summary)
    }
    return summaries
  }

  /// Series rendered between two looks at the buffer's size.
  static let seriesPerStep = 64

  /// Room for `flushBytes` and one step of lines past it, so that a buffer does not grow.
  private var bufferCapacity: Int { flushBytes + (1 << 18) }

  /// Renders `chunk` a few series at a time, handing the buffer to `handOff` whenever it holds
  /// `flushBytes`. A chunk's text (thousands of series) is several megabytes: rendered whole,
  /// it made every buffer grow to that size.
  /// - Returns: the buffer to go on with, the one `handOff` returned last.
  @discardableResult
  private func render(
    _ chunk: DatChunk, layout: SeriesLayout, into start: ByteBuffer,
    handOff: (ByteBuffer) throws -> ByteBuffer
  ) throws -> ByteBuffer {
    var buffer = start
    let total = layout.count
    var first = 0
    while first < total {
      let end = min(total, first + Self.seriesPerStep)
      SampleRenderer.render(chunk, layout: layout, format: format, series: first..<end, into: buffer)
      first = end
      if buffer.count >= flushBytes { buffer = try handOff(buffer) }
    }
    return buffer
  }

  private func runParallel(
    units: [DatUnit], output: OutputStream, reader: PerfUnitReader,
    finished: (DatFileSummary) -> Void
  ) throws -> [DatFileSummary] {
    let turn = OrderedHandOff(count: units.count, maxPendingPerUnit: 4)
    let next = AtomicCounter()
    let group = DispatchGroup()
    let workers = min(jobs, units.count)
    let pool = ByteBufferPool(capacity: bufferCapacity, limit: workers * 2)
    var started = 0
    for _ in 0..<workers {
      group.enter()
      let detached = SystemThread.detach {
        defer { group.leave() }
        while true {
          let index = next.increment()
          guard index < units.count, !turn.isCancelled else { return }
          var buffer = pool.take()
          do {
            let summary = try reader.read(units[index]) { chunk, layout in
              buffer = try render(chunk, layout: layout, into: buffer) { full in
                try turn.put(index, .bytes(full))
                return pool.take()
              }
            }
            try turn.put(index, .bytes(buffer))
            try turn.put(index, .done(summary))
          } catch {
            turn.cancel(error)
            return
          }
        }
      }
      if detached { started += 1 } else { group.leave() }
    }
    // No thread could be made (a container at its process limit): this one renders them all.
    if started == 0 {
      return try runSerial(units: units, output: output, reader: reader, finished: finished)
    }
    var summaries: [DatFileSummary] = []
    do {
      for index in 0..<units.count {
        while true {
          switch try turn.take(index) {
          case .bytes(let buffer):
            try output.write(bytes: buffer.bytes)
            pool.give(buffer)
          case .done(let summary):
            finished(summary)
            summaries.append(summary)
          }
          if summaries.count == index + 1 { break }
        }
      }
    } catch {
      turn.cancel(error)
      group.wait()
      throw error
    }
    group.wait()
    return summaries
  }
}

/// A thread-safe counter that hands out 0, 1, 2, …
final class AtomicCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func increment() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value - 1
  }
}

/// Passes rendered pieces from worker threads to the writer, unit by unit in order. A worker
/// whose unit is not being written waits once it holds `maxPendingPerUnit` pieces.
final class OrderedHandOff: @unchecked Sendable {
  enum Piece {
    case bytes(ByteBuffer)
    case done(DatFileSummary)
  }

  private let condition = NSCondition()
  private var queues: [[Piece]]
  private let maxPending: Int
  private var failure: Error?
  private(set) var isCancelled = false

  init(count: Int, maxPendingPerUnit: Int) {
    queues = Array(repeating: [], count: count)
    maxPending = maxPendingPerUnit
  }

  func put(_ unit: Int, _ piece: Piece) throws {
    condition.lock()
    defer { condition.unlock() }
    while queues[unit].count >= maxPending && !isCancelled { condition.wait() }
    if isCancelled { throw CancellationError() }
    queues[unit].append(piece)
    condition.broadcast()
  }

  func take(_ unit: Int) throws -> Piece {
    condition.lock()
    defer { condition.unlock() }
    while queues[unit].isEmpty && !isCancelled { condition.wait() }
    if let failure { throw failure }
    if isCancelled { throw CancellationError() }
    let piece = queues[unit].removeFirst()
    condition.broadcast()
    return piece
  }

  func cancel(_ error: Error) {
    condition.lock()
    if failure == nil && !(error is CancellationError) { failure = error }
    isCancelled = true
    condition.broadcast()
    condition.unlock()
  }
}
