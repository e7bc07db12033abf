// The import itself: decoder threads turn files into batches of JSON lines, a bounded queue holds
// them, sender threads deliver them (retries, fallback, spool). Memory is bounded by the queue,
// not the export. The journal lets a second run skip what the first one delivered.

import Foundation

/// What the pipeline tells the person watching while it runs.
public protocol ImportEvents: AnyObject, Sendable {
  /// A batch failed and will be tried again after `delay` seconds; when `countsFirst`, its
  /// request was cut off, and what is stored of it is counted before.
  func retrying(_ batch: ImportBatch, attempt: Int, of attempts: Int, delay: Double,
                failure: DeliveryFailure, target: ImportTarget, countsFirst: Bool)
  /// The primary targets stayed unreachable; the batch goes to a fallback target.
  func fallingBack(_ batch: ImportBatch, failure: DeliveryFailure, to target: ImportTarget)
  /// A batch was written to the spool.
  func spooled(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure, path: String)
  /// A batch failed for good and could not be kept.
  func gaveUp(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure)
  /// A request of `batch` was cut off after its body went out (`failure`), and the stores were
  /// asked how much of its `samples` they hold before sending it again.
  func checkedStored(
    _ batch: ImportBatch, state: StoredState, samples: Int, failure: DeliveryFailure)
  /// A file could not be read completely.
  func fileFault(_ fault: InputFault)
}

/// Thrown out of a file's decoding at a block boundary once a stop was asked for.
private struct StopAtBlockBoundary: Error {}

/// Streams units into the targets.
public final class ImportPipeline: Interruptible, @unchecked Sendable {
  public let configuration: ImportConfiguration
  private let layouts: SeriesLayoutCache
  private let delivery: BatchDelivery
  private let journal: TargetJournals?
  /// Per unit: the journal folders of the targets that accepted its batches in this run.
  private var acceptedBy: [Int: Set<String>] = [:]
  private let acceptedLock = NSLock()
  public let digests: ArchiveDigests
  private weak var events: ImportEvents?
  private let stopLock = NSLock()
  private var stopped = false

  public init(
    configuration: ImportConfiguration, catalog: SeriesCatalog, events: ImportEvents?,
    digests: ArchiveDigests = ArchiveDigests()
  ) throws {
    self.configuration = configuration
    layouts = SeriesLayoutCache(catalog: catalog)
    self.events = events
    self.digests = digests
    let sender = HTTPSender(
      timeout: configuration.timeout, connections: configuration.concurrency,
      credentials: configuration.credentials)
    delivery = BatchDelivery(
      configuration: configuration, sender: sender, events: events,
      spool: configuration.spoolDirectory.map(ImportSpool.init))
    journal = try configuration.journalDirectory.map {
      try TargetJournals(
        root: $0, targets: configuration.targets + configuration.fallbackTargets)
    }
  }

  /// Asked before a batch is sent again after a request of it was cut off once its body went
  /// out; see `BatchDelivery.storedCheck`.
  var storedCheck: (([UInt8]) -> StoredReading)? {
    get { delivery.storedCheck }
    set { delivery.storedCheck = newValue }
  }

  /// Draws jitter for retry delays (tests make it fixed).
  public var jitter: @Sendable () -> Double {
    get { delivery.jitter }
    set { delivery.jitter = newValue }
  }

  /// Sends every unit; `tick` is called about twice a second with the tally for progress.
  /// - Throws: `SystemError` before anything is decoded or sent when not one decoding and one
  ///   sending thread could be started (a container at its process limit).
  public func run(units: [DatUnit], tick: ((ImportProgress) -> Void)? = nil) throws
    -> ImportResult
  {
    let started = DispatchTime.now()
    let tally = ImportTally(units: units.count)
    tally.unitSettled = { [self, journal, digests] index, clean in
      guard clean, let journal else { return }
      let unit = units[index]
      guard let digest = try? digests.sha256(of: unit.path) else { return }
      acceptedLock.lock()
      let targets = acceptedBy.removeValue(forKey: index) ?? []
      acceptedLock.unlock()
      try? journal.recordComplete(
        archive: digest, member: unit.member ?? "", file: unit.name,
        print: { try? unit.containerPrint() }, acceptedBy: targets)
    }
    let queue = BlockingQueue<ImportBatch>(capacity: configuration.concurrency)
    let sequence = AtomicCounter()
    let nextUnit = AtomicCounter()
    let decoding = DispatchGroup()
    let sending = DispatchGroup()

    // Senders first: they wait for batches, so without one no decoder may start.
    var senders = 0
    for _ in 0..<max(1, configuration.concurrency) {
      sending.enter()
      let started = SystemThread.detach { [self] in
        defer { sending.leave() }
        while let batch = queue.pop() { deliver(batch, tally: tally) }
      }
      if started { senders += 1 } else { sending.leave() }
    }
    var decoders = 0
    if senders > 0 {
      for _ in 0..<max(1, min(configuration.decoders, units.count)) {
        decoding.enter()
        let started = SystemThread.detach { [self] in
          defer { decoding.leave() }
          while !isStopped {
            let index = nextUnit.increment()
            guard index < units.count else { return }
            decode(units[index], index: index, into: queue, tally: tally, sequence: sequence)
          }
        }
        if started { decoders += 1 } else { decoding.leave() }
      }
    }
    guard decoders > 0 else {
      queue.close()
      sending.wait()
      throw SystemError(
        "cannot start the import", code: EAGAIN,
        reason: "no thread could be started to \(senders == 0 ? "send" : "decode") with (the "
          + "process or its container is at its limit of processes or threads: ulimit -u, "
          + "pids.max); nothing was sent")
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
    journal?.flush()
    var result = tally.finish(
      seconds: Self.seconds(since: started),
      targets: configuration.targets.map(\.importURL.absoluteString))
    result.interrupted = isStopped
    result.spoolDirectory = configuration.spoolDirectory
    result.replayOptions = configuration.replayOptions
    result.batchesResentUnfound = delivery.batchesResentUnfound
    return result
  }

  /// Asks the pipeline to stop: files stop at the next block boundary, batches already cut
  /// are still delivered (or spooled), and the journal is flushed.
  public func stop() {
    stopLock.lock()
    stopped = true
    stopLock.unlock()
  }

  /// After a second interrupt: batches that fail are spooled at once, without waiting to retry.
  public func stopRetrying() {
    delivery.abandonRetries()
  }

  private var isStopped: Bool {
    stopLock.lock()
    defer { stopLock.unlock() }
    return stopped
  }

  static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }

  /// The journal's key of `unit`: its archive's digest and its member.
  private func journalKey(_ unit: DatUnit) throws -> (archive: String, member: String) {
    (try digests.sha256(of: unit.path), unit.member ?? "")
  }

  private func decode(
    _ unit: DatUnit, index: Int, into queue: BlockingQueue<ImportBatch>, tally: ImportTally,
    sequence: AtomicCounter
  ) {
    var done: [BatchPiece] = []
    if let journal {
      do {
        let key = try journalKey(unit)
        if configuration.force {
          if !tally.claimReset(key.archive) { journal.reset(archive: key.archive) }
        } else {
          var waiting = journal.samplesWaitingInSpool(archive: key.archive, member: key.member)
          tally.sentBefore(journal.samplesAccepted(archive: key.archive, member: key.member))
          // The member itself complete, or else a copy of its file from another archive.
          var complete = journal.isComplete(archive: key.archive, member: key.member)
          if !complete {
            switch journal.earlierFile(
              named: unit.name, archive: key.archive, member: key.member,
              print: { try? unit.containerPrint() })
            {
            case .copy(let archive, let member):
              waiting += journal.samplesWaitingInSpool(archive: archive, member: member)
              tally.sentBefore(journal.samplesAccepted(archive: archive, member: member))
              complete = true
            case .other(let member, let print):
              tally.unitUnreadable(
                index, path: unit.path, member: unit.member,
                reason: Self.otherFileReason(unit, earlier: member, print: print))
              return
            case nil:
              break
            }
          }
          if waiting > 0 {
            tally.waitingInSpool(
              index, unit: unit, samples: waiting,
              replay: configuration.spoolDirectory.map { $0 + configuration.replayOptions })
          }
          if complete {
            if waiting == 0 { countDelivered(unit, tally: tally) }
            tally.unitSkipped(index, waiting: waiting > 0)
            return
          }
          done = journal.pieces(archive: key.archive, member: key.member)
        }
      } catch {
        let reason = (error as? UserFacingError)?.userMessage ?? "\(error)"
        tally.unitUnreadable(index, path: unit.path, member: unit.member, reason: reason)
        return
      }
    }
    let limits = (samples: configuration.batchSamples, bytes: configuration.batchBytes)
    func newBatch() -> ImportBatch {
      ImportBatch(
        sequence: -1, unitIndex: index, path: unit.path, member: unit.member,
        capacity: limits.bytes + (1 << 16))
    }
    var batch = newBatch()
    func release(_ batch: ImportBatch) {
      var batch = batch
      batch.sequence = sequence.increment()
      tally.batchCut(batch)
      queue.push(batch)
    }
    // Inputs nobody verified are held back a file at a time: a CRC-32 is read at the end of
    // what it covers, and values read from damaged bytes look like any others.
    var holding = !configuration.inputsVerified
    var held: [ImportBatch] = []
    var heldBytes = 0
    func releaseHeld() {
      for batch in held { release(batch) }
      held.removeAll()
      holding = false
    }
    func ship() {
      guard batch.lines > 0 else { return }
      if holding && heldBytes + batch.body.count <= configuration.heldBytes {
        heldBytes += batch.body.count
        held.append(batch)
      } else {
        // A file too large to hold is sent as it is read, as a verified one is.
        releaseHeld()
        release(batch)
      }
      batch = newBatch()
    }
    var reader = PerfUnitReader(layouts: layouts)
    reader.reader.chunkRows = configuration.lineSamples
    var lastLayout: SeriesLayout?
    var lastBlock = -1
    var skipped = 0
    var counts: [(SeriesLayout, [SampleSet])] = []
    defer { tally.samples(counts) }
    let summary: DatFileSummary
    do {
      summary = try reader.read(unit) { chunk, layout in
        let blockIndex = chunk.block.index
        if blockIndex != lastBlock {
          if lastBlock >= 0 && isStopped { throw StopAtBlockBoundary() }
          lastBlock = blockIndex
        }
        if layout !== lastLayout {
          tally.layout(layout)
          lastLayout = layout
          if !counts.contains(where: { $0.0 === layout }) {
            counts.append((layout, Array(repeating: SampleSet(), count: layout.count)))
          }
        }
        let countIndex = counts.lastIndex(where: { $0.0 === layout })!
        // Every series of the chunk has a sample at each of its rows.
        let chunkSamples = SampleSet(rowsOf: chunk)
        let lines = JSONLines(chunk, layout: layout)
        let rows = chunk.firstRow..<(chunk.firstRow + chunk.rowCount)
        let already = done.filter { $0.block == blockIndex }
        var pieceStart = 0
        func closePiece(at end: Int) {
          if end > pieceStart {
            batch.pieces.append(BatchPiece(block: blockIndex, rows: rows, series: pieceStart..<end))
          }
          pieceStart = end
        }
        for position in 0..<lines.count {
          if !already.isEmpty,
            already.contains(where: { $0.covers(block: blockIndex, rows: rows, position: position) })
          {
            closePiece(at: position)
            pieceStart = position + 1
            skipped += chunk.rowCount
            // Sent by an earlier run: still part of what the landed check expects.
            counts[countIndex].1[position].add(chunkSamples)
            continue
          }
          lines.append(series: position, into: batch.body)
          counts[countIndex].1[position].add(chunkSamples)
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
    } catch is StopAtBlockBoundary {
      ship()
      releaseHeld()
      tally.unitInterrupted(index, skippedSamples: skipped)
      return
    } catch {
      // Only a failure outside the input (an unreadable file) gets here.
      ship()
      releaseHeld()
      let reason = (error as? UserFacingError)?.userMessage ?? "\(error)"
      tally.unitUnreadable(index, path: unit.path, member: unit.member, reason: reason)
      return
    }
    ship()
    if let fault = summary.fault { events?.fileFault(fault) }
    if let fault = summary.fault, fault.kind.doubtsTheData, holding {
      // Every batch of the file is still held: none is sent, and what it would have sent is
      // not expected to land.
      let withheld = held.reduce(0) { $0 + $1.samples }
      held.removeAll()
      counts.removeAll()
      tally.unitDecoded(index, summary: summary, skippedSamples: skipped, withheld: withheld)
      return
    }
    releaseHeld()
    tally.unitDecoded(index, summary: summary, skippedSamples: skipped)
  }

  /// Why a file is not sent when another of its name, with other bytes, was imported before.
  static func otherFileReason(_ unit: DatUnit, earlier member: String, print: ContainerPrint?)
    -> String
  {
    let earlier = member.isEmpty ? "" : " as \(member)"
    guard let print else {
      return "not sent: a file of this name (array, controller and time window) was imported "
        + "before\(earlier) by a version that kept no record of its bytes, so whether this is "
        + "the same file cannot be told; sending it could store what both hold twice. If it is "
        + "another file, --force sends it"
    }
    let own = (try? unit.containerPrint()).map { ", \($0.size) now" } ?? ""
    return "not sent: a file of this name (array, controller and time window) was imported "
      + "before\(earlier) with other bytes (\(print.size) bytes then\(own)): one of the two "
      + "may be a copy cut short, an export made again, or the same data packed another way, "
      + "and sending this one would store what both hold twice. If this one is the right one, "
      + "--force sends it"
  }

  /// Counts the samples of a file an earlier run delivered, so that the landed check expects
  /// them too; the file is decoded but nothing is rendered or sent.
  private func countDelivered(_ unit: DatUnit, tally: ImportTally) {
    var counts: [(SeriesLayout, [SampleSet])] = []
    let reader = PerfUnitReader(layouts: layouts)
    guard let summary = try? reader.read(unit, visit: { chunk, layout in
      if !counts.contains(where: { $0.0 === layout }) {
        counts.append((layout, Array(repeating: SampleSet(), count: layout.count)))
        tally.layout(layout)
      }
      let index = counts.lastIndex(where: { $0.0 === layout })!
      let chunkSamples = SampleSet(rowsOf: chunk)
      for position in 0..<layout.count { counts[index].1[position].add(chunkSamples) }
    }) else { return }
    tally.samples(counts)
    tally.timeRange(summary)
  }

  private func deliver(_ batch: ImportBatch, tally: ImportTally) {
    let digest = (try? digests.sha256(of: batch.path)) ?? ""
    let outcome = delivery.deliver(batch, archiveSHA256: digest)
    switch outcome {
    case .delivered(let target, _, _):
      // On record with the target that took the batch: a fallback's journal says what went
      // there, and a later run that has the fallback among its targets knows it.
      if let journal, !digest.isEmpty, let accepting = journal.journal(forBase: target) {
        acceptedLock.lock()
        acceptedBy[batch.unitIndex, default: []].insert(accepting.name)
        acceptedLock.unlock()
        do {
          try accepting.record(
            .accepted, archive: digest, member: batch.member ?? "", pieces: batch.pieces)
        } catch {
          tally.warning((error as? UserFacingError)?.userMessage ?? "journal: \(error)")
        }
      }
    case .spooled:
      if let journal, !digest.isEmpty {
        try? journal.primary.record(
          .spooled, archive: digest, member: batch.member ?? "", pieces: batch.pieces)
      }
    case .failed:
      break
    }
    tally.batchSettled(batch, outcome: outcome)
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
