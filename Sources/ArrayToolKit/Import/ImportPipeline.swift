// The import itself: decoder threads turn files into batches of JSON lines, a bounded queue holds
// them, sender threads post them with retries. Memory is bounded by the queue, not the export.

import Foundation

/// What the pipeline tells the person watching while it runs.
public protocol ImportEvents: AnyObject, Sendable {
  /// A batch failed and will be tried again after `delay` seconds.
  func retrying(_ batch: ImportBatch, attempt: Int, of attempts: Int, delay: Double,
                failure: DeliveryFailure, target: ImportTarget)
  /// A batch failed for good.
  func gaveUp(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure)
  /// A file could not be read completely.
  func fileFault(_ fault: InputFault)
}

/// Streams units into the targets.
public final class ImportPipeline: @unchecked Sendable {
  public let configuration: ImportConfiguration
  private let layouts: SeriesLayoutCache
  private let sender: HTTPSender
  private weak var events: ImportEvents?
  private let stopLock = NSCondition()
  private var stopped = false
  /// Draws jitter for retry delays.
  public var jitter: @Sendable () -> Double = { Double.random(in: 0...1) }

  public init(configuration: ImportConfiguration, catalog: SeriesCatalog, events: ImportEvents?) {
    self.configuration = configuration
    layouts = SeriesLayoutCache(catalog: catalog)
    self.events = events
    sender = HTTPSender(
      timeout: configuration.timeout, connections: configuration.concurrency,
      credentials: configuration.credentials)
  }

  /// Sends every unit; `tick` is called about twice a second with the tally for progress.
  public func run(units: [DatUnit], tick: ((ImportProgress) -> Void)? = nil) -> ImportResult {
    let started = DispatchTime.now()
    let tally = ImportTally(units: units.count)
    let queue = BlockingQueue<ImportBatch>(capacity: configuration.concurrency)
    let sequence = AtomicCounter()
    let nextUnit = AtomicCounter()
    let decoding = DispatchGroup()
    let sending = DispatchGroup()

    for _ in 0..<max(1, min(configuration.decoders, units.count)) {
      decoding.enter()
      Thread.detachNewThread { [self] in
        defer { decoding.leave() }
        while !isStopped {
          let index = nextUnit.increment()
          guard index < units.count else { return }
          decode(units[index], index: index, into: queue, tally: tally, sequence: sequence)
        }
      }
    }
    for _ in 0..<max(1, configuration.concurrency) {
      sending.enter()
      Thread.detachNewThread { [self] in
        defer { sending.leave() }
        while let batch = queue.pop() { deliver(batch, tally: tally) }
      }
    }

    let files = units.count
    // A dispatch source must be resumed before it is released, so one is made only when asked.
    var ticker: DispatchSourceTimer?
    if let tick {
      let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
      timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
      timer.setEventHandler {
        let (done, sent, decoded) = tally.progress()
        tick(ImportProgress(filesDone: done, filesTotal: files, samplesSent: sent,
                            samplesDecoded: decoded, seconds: Self.seconds(since: started)))
      }
      timer.resume()
      ticker = timer
    }
    decoding.wait()
    queue.close()
    sending.wait()
    ticker?.cancel()
    return tally.finish(
      seconds: Self.seconds(since: started),
      targets: configuration.targets.map(\.importURL.absoluteString))
  }

  /// Asks the pipeline to stop taking new files; batches already cut are still sent.
  public func stop() {
    stopLock.lock()
    stopped = true
    stopLock.broadcast()
    stopLock.unlock()
  }

  private var isStopped: Bool {
    stopLock.lock()
    defer { stopLock.unlock() }
    return stopped
  }

  static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }

  private func decode(
    _ unit: DatUnit, index: Int, into queue: BlockingQueue<ImportBatch>, tally: ImportTally,
    sequence: AtomicCounter
  ) {
    let limits = (samples: configuration.batchSamples, bytes: configuration.batchBytes)
    func newBatch() -> ImportBatch {
      ImportBatch(
        sequence: -1, unitIndex: index, path: unit.path, member: unit.member,
        capacity: limits.bytes + (1 << 16))
    }
    var batch = newBatch()
    func ship() {
      guard batch.lines > 0 else { return }
      batch.sequence = sequence.increment()
      tally.batchCut(batch)
      queue.push(batch)
      batch = newBatch()
    }
    let reader = PerfUnitReader(layouts: layouts)
    var lastLayout: SeriesLayout?
    let summary: DatFileSummary
    do {
      summary = try reader.read(unit) { chunk, layout in
        if layout !== lastLayout {
          tally.layout(layout)
          lastLayout = layout
        }
        let lines = JSONLines(chunk, layout: layout)
        let blockIndex = chunk.block.index
        let rows = chunk.firstRow..<(chunk.firstRow + chunk.rowCount)
        var pieceStart = 0
        func closePiece(at end: Int) {
          guard end > pieceStart else { return }
          batch.pieces.append(BatchPiece(block: blockIndex, rows: rows, series: pieceStart..<end))
          pieceStart = end
        }
        for position in 0..<lines.count {
          lines.append(series: position, into: batch.body)
          batch.lines += 1
          batch.samples += chunk.rowCount
          batch.firstBlock = min(batch.firstBlock, blockIndex)
          batch.lastBlock = max(batch.lastBlock, blockIndex)
          if batch.samples >= limits.samples || batch.body.count >= limits.bytes {
            closePiece(at: position + 1)
            ship()
          }
        }
        closePiece(at: lines.count)
      }
    } catch {
      // Only a failure outside the input (an unreadable file) gets here.
      ship()
      let reason = (error as? UserFacingError)?.userMessage ?? "\(error)"
      tally.unitUnreadable(index, path: unit.path, member: unit.member, reason: reason)
      return
    }
    ship()
    if let fault = summary.fault { events?.fileFault(fault) }
    tally.unitDecoded(index, summary: summary)
  }

  private func deliver(_ batch: ImportBatch, tally: ImportTally) {
    let body = batch.body.sharedData
    var payloads: [Bool: Data] = [:]
    let targets = configuration.targets
    let attempts = max(1, configuration.retry.attempts)
    var lastFailure = DeliveryFailure(.other, "not sent")
    for attempt in 1...attempts {
      let target = targets[(batch.sequence + attempt - 1) % targets.count]
      let gzip = configuration.compresses(target)
      if payloads[gzip] == nil {
        payloads[gzip] = gzip ? Data(Gzip.compress(batch.body.bytes)) : body
      }
      guard let failure = sender.post(payloads[gzip]!, to: target.importURL, gzipped: gzip) else {
        tally.batchDelivered(batch, attempts: attempt)
        return
      }
      lastFailure = failure
      guard failure.isRetryable, attempt < attempts else {
        tally.batchFailed(batch, attempts: attempt, failure: failure)
        events?.gaveUp(batch, attempts: attempt, failure: failure)
        return
      }
      let delay = configuration.retry.delay(after: attempt, jitter: jitter())
      events?.retrying(batch, attempt: attempt, of: attempts, delay: delay, failure: failure,
                       target: target)
      Thread.sleep(forTimeInterval: delay)
    }
    tally.batchFailed(batch, attempts: attempts, failure: lastFailure)
  }
}

/// A snapshot for the progress line.
public struct ImportProgress: Sendable {
  public var filesDone: Int
  public var filesTotal: Int
  public var samplesSent: Int
  public var samplesDecoded: Int
  public var seconds: Double
}
