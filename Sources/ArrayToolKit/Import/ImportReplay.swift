// `import --replay`: sends the batches of a spool folder, oldest first, and removes each one only
// after the server accepted it; the journal learns that its samples are now delivered.

import Foundation

/// What a replay did.
public struct ReplayResult: Sendable {
  public var batchesTotal = 0
  public var batchesSent = 0
  public var samplesSent = 0
  /// Every batch still in the spool after the run, for one of the reasons counted below.
  public var batchesLeft = 0
  /// The samples of those batches, as far as their records tell.
  public var samplesLeft = 0
  /// Left because no target took them.
  public var batchesNotDelivered = 0
  /// Left because the run was stopped before they were tried.
  public var batchesNotTried = 0
  /// Left because their record file or data file is damaged.
  public var batchesDamaged = 0
  /// Left because some of their samples are older than the retention of a VictoriaMetrics
  /// they would be stored in, which would drop them without an error.
  public var batchesTooOld = 0
  /// Data files left because their record file is missing.
  public var dataFilesWithoutRecord = 0
  /// Spooled batches a target of the replay already had on record as accepted: removed from
  /// the spool without being sent.
  public var batchesAlreadyAccepted = 0
  /// Samples left out because a target of the replay had them on record: those of the batches
  /// above and the accepted part of batches sent in part.
  public var samplesAlreadyAccepted = 0
  /// Per target (base URL), in the order first met: the whole batches it already had.
  public var alreadyAcceptedBy: [(target: String, batches: Int)] = []
  /// Batches whose earlier request was cut off after its body went out and whose samples
  /// VictoriaMetrics holds, all of them: removed from the spool without being sent.
  public var batchesAlreadyStored = 0
  /// Samples found stored of the batches that may be stored: of those removed unsent and of
  /// those only the rest of which was sent.
  public var samplesAlreadyStored = 0
  /// Batches that may be stored, part of which was: only the rest was sent.
  public var batchesRestSent = 0
  /// Batches sent after a cut-off request (of an earlier run or of this replay) that nothing of
  /// them was found stored for.
  public var batchesResentUnfound = 0
  /// Left because VictoriaMetrics holds some of their samples, or could not be asked.
  public var batchesMaybeStored = 0
  /// Stopped by SIGINT or SIGTERM before every batch was tried.
  public var interrupted = false
  public var failures: [String] = []
  public var seconds: Double = 0
}

/// The oldest time a VictoriaMetrics keeps: samples before it are dropped without an error.
public struct RetentionCutoff: Sendable, Equatable {
  /// Unix milliseconds.
  public var milliseconds: Int64
  /// The flag as the server gives it: `retentionPeriod=1`.
  public var period: String
  /// The server's base URL.
  public var store: String

  public init(milliseconds: Int64, period: String, store: String) {
    self.milliseconds = milliseconds
    self.period = period
    self.store = store
  }
}

/// Replays a spool folder.
public final class ImportReplay: Interruptible, @unchecked Sendable {
  public let configuration: ImportConfiguration
  public let spool: ImportSpool
  private let stopLock = NSLock()
  private var stopped = false
  private var abandoned = false
  private var deliveries: [BatchDelivery] = []

  public init(configuration: ImportConfiguration, spool: ImportSpool) {
    self.configuration = configuration
    self.spool = spool
  }

  /// Asks the replay to stop before the next batch; the one in flight is finished, and its
  /// spool file removed only when the server accepted it.
  public func stop() {
    stopLock.lock()
    stopped = true
    stopLock.unlock()
  }

  /// Cancels the request in flight and the waits between retries: its batch stays in the spool.
  public func stopRetrying() {
    stopLock.lock()
    abandoned = true
    let current = deliveries
    stopLock.unlock()
    for delivery in current { delivery.abandonRetries() }
  }

  private var isStopped: Bool {
    stopLock.lock()
    defer { stopLock.unlock() }
    return stopped
  }

  /// A delivery that a later stopRetrying() reaches (at once when it came already).
  private func watched(_ delivery: BatchDelivery) -> BatchDelivery {
    stopLock.lock()
    deliveries.append(delivery)
    let late = abandoned
    stopLock.unlock()
    if late { delivery.abandonRetries() }
    return delivery
  }

  /// Sends every spooled batch to the configured targets (or, when none was given, to the one
  /// recorded with the batch), the way an import delivers: the same retries, fallback, and
  /// shortcut for a target that stayed unreachable through one batch's retries.
  /// - Parameters:
  ///   - force: send batches that may be stored already without asking.
  ///   - stores: the VictoriaMetrics a batch sent to these targets is stored in, to ask before
  ///     sending a batch that may be stored already.
  ///   - retention: the strictest retention of the VictoriaMetrics a batch sent to these
  ///     targets may be stored in, `nil` when none is known: a batch with samples older than
  ///     its cut-off stays in the spool, since the server would drop them without an error.
  public func run(
    useRecordedTarget: Bool, force: Bool = false,
    stores: @escaping ([ImportTarget]) -> [ProbeEndpoint] = { _ in [] },
    retention: @escaping ([ImportTarget]) -> RetentionCutoff? = { _ in nil },
    log: @escaping @Sendable (String) -> Void
  ) throws -> ReplayResult {
    let started = DispatchTime.now()
    // A batch goes on record in the journal of the target that accepted it; when that is not
    // the target it was spooled for, that target's journal learns it is no longer waiting.
    let journalRoot = configuration.journalDirectory
    var journals: [String: ImportJournal] = [:]
    func journalOf(_ target: ImportTarget) throws -> ImportJournal? {
      guard let journalRoot else { return nil }
      let folder = journalRoot + "/" + ImportJournal.folderName(for: target)
      if let open = journals[folder] { return open }
      let opened = try ImportJournal(directory: folder)
      journals[folder] = opened
      return opened
    }
    // The target a batch was spooled for has it on record as spooled: once the batch is out of
    // the spool, that journal must not count it as waiting any more. It keeps what it has on
    // record as accepted, and nothing is written when it has every piece accepted already
    // (which keeps its record of files it holds completely).
    func unspool(_ record: SpoolRecord, recorded: ImportTarget?) throws {
      guard !record.archiveSHA256.isEmpty, let recorded, let meant = try journalOf(recorded)
      else { return }
      let state = meant.spoolState(archive: record.archiveSHA256, member: record.member)
      guard !state.accepted.isSuperset(of: record.pieces) else { return }
      try meant.record(
        .unspooled, archive: record.archiveSHA256, member: record.member, pieces: record.pieces)
      meant.flush()
    }
    let sender = HTTPSender(
      timeout: configuration.timeout, connections: 1, credentials: configuration.credentials)
    let events = ReplayEvents(log: log)
    // Counts in the stores of `targets` what they hold of a batch.
    func storedCheck(_ targets: [ImportTarget]) -> BatchStoredCheck {
      var check = BatchStoredCheck(
        queries: stores(targets),
        agents: targets.compactMap { try? ProbeEndpoint(parsing: $0.base.absoluteString) },
        timeout: configuration.timeout)
      check.shouldStop = { [unowned self] in isStopped }
      return check
    }
    // One delivery per set of targets, so that a dead target found by one batch is tried once
    // by the next.
    var deliveries: [String: BatchDelivery] = [:]
    var result = ReplayResult()
    let contents = try spool.contents()
    if contents.entries.isEmpty && contents.problems.isEmpty && contents.otherFiles > 0 {
      // A mistyped folder would otherwise replay nothing and call it all delivered.
      let files = contents.otherFiles == 1 ? "1 other file" : "\(contents.otherFiles) other files"
      throw UsageError(
        "\(spool.directory) is not a spool folder: it holds no spooled batch (NAME.json records "
          + "with NAME.jsonl.gz data) but \(files); give the folder an import named in its report",
        command: "import")
    }
    let entries = contents.entries
    result.batchesTotal = entries.count + contents.problems.count
    // A batch that cannot be read is left as it is, and the others are still sent.
    func leave(_ problem: SpoolProblem, samples: Int?) {
      result.batchesLeft += 1
      result.samplesLeft += samples ?? 0
      if problem.kind == .missingRecord {
        result.dataFilesWithoutRecord += 1
      } else {
        result.batchesDamaged += 1
      }
      let what = samples.map { "\($0) samples left in the spool" } ?? "left in the spool"
      let line = "\(problem.path): \(what), \(problem.kind.label): \(problem.reason)"
      log(line)
      result.failures.append(line)
    }
    for problem in contents.problems { leave(problem, samples: nil) }
    // A batch that stays in the spool, counted under `reason`; `what` follows its samples.
    func leaveInSpool(
      _ entry: SpoolEntry, as reason: WritableKeyPath<ReplayResult, Int>, _ what: String
    ) {
      result.batchesLeft += 1
      result[keyPath: reason] += 1
      result.samplesLeft += entry.record.samples
      let name = (entry.dataPath as NSString).lastPathComponent
      result.failures.append("\(name): \(entry.record.samples) samples \(what)")
    }
    for (index, entry) in entries.enumerated() {
      // Stopped: what is not tried stays in the spool, as it was.
      if isStopped {
        result.interrupted = true
        result.batchesLeft += entries.count - index
        result.batchesNotTried += entries.count - index
        result.samplesLeft += entries[index...].reduce(0) { $0 + $1.record.samples }
        break
      }
      var settings = configuration
      let recorded = try? ImportTarget(base: entry.record.target)
      if useRecordedTarget, let recorded { settings.targets = [recorded] }
      let key = settings.targets.map(\.base.absoluteString).joined(separator: " ")
      let delivery = deliveries[key]
        ?? watched(BatchDelivery(configuration: settings, sender: sender, events: events, spool: nil))
      // A request cut off during this replay is asked about the same way before it is resent.
      if delivery.storedCheck == nil && !force {
        let targets = settings.targets + settings.fallbackTargets
        let pause = BatchStoredCheck.pause(timeout: configuration.timeout)
        delivery.storedCheck = { storedCheck(targets).settledReading(of: $0, pause: pause) }
      }
      deliveries[key] = delivery
      // Damaged data is never sent: VictoriaMetrics answers 204 while it skips a line it cannot
      // read, and the batch would leave the spool as delivered.
      var body: [UInt8]
      do {
        body = try ImportSpool.readBatch(entry)
      } catch {
        let reason = (error as? InputFault).map {
          "\($0.kind.rawValue) at offset \($0.offset): \($0.message)"
        } ?? (error as? SpoolDataDamage)?.reason
          ?? (error as? UserFacingError)?.userMessage ?? "\(error)"
        leave(SpoolProblem(kind: .damagedData, path: entry.dataPath, reason: reason),
              samples: entry.record.samples)
        continue
      }
      let name = (entry.dataPath as NSString).lastPathComponent
      if let cutoff = retention(settings.targets + settings.fallbackTargets) {
        let old = Self.samples(of: body, before: cutoff.milliseconds)
        if old > 0 {
          let line = "\(name): left in the spool: \(old) of its \(entry.record.samples) samples are "
            + "older than \(InspectReport.utc(cutoff.milliseconds)) UTC, the cut-off of "
            + "-\(cutoff.period) at \(cutoff.store): VictoriaMetrics would drop them without an "
            + "error. Raise -retentionPeriod there, or replay to a server that keeps them"
          log(line)
          result.batchesLeft += 1
          result.batchesTooOld += 1
          result.samplesLeft += entry.record.samples
          result.failures.append(line)
          continue
        }
      }
      var pieces = entry.record.pieces
      var samples = entry.record.samples
      var lines = entry.record.lines
      let digest = entry.record.archiveSHA256
      // A sample a target of this replay has on record as accepted is not sent to it again: an
      // import sent it there after it was spooled (to another target, or with --force), and
      // sending it once more would store it twice.
      let targets = settings.targets + settings.fallbackTargets
      let holders = digest.isEmpty ? [] : try targets.compactMap { target in
        try journalOf(target).map { (target: target, journal: $0) }
      }
      let held = Self.acceptedLines(entry.record, in: holders.map(\.journal))
      if held.contains(where: { $0 != nil }) {
        guard let kept = Self.keep(body, record: entry.record, unless: held) else {
          leaveInSpool(entry, as: \.batchesNotDelivered,
               "left in the spool: its lines do not match its record, so what the target already "
                 + "has cannot be left out")
          continue
        }
        if kept.lines == 0 {
          result.samplesAlreadyAccepted += entry.record.samples
          let holder = holders[held[0]!].target.base.absoluteString
          try unspool(entry.record, recorded: recorded)
          try spool.remove(recordPath: entry.recordPath, dataPath: entry.dataPath)
          log("\(name): its \(entry.record.samples) samples were already accepted by \(holder): "
            + "removed from the spool, not sent")
          result.batchesAlreadyAccepted += 1
          if let index = result.alreadyAcceptedBy.firstIndex(where: { $0.target == holder }) {
            result.alreadyAcceptedBy[index].batches += 1
          } else {
            result.alreadyAcceptedBy.append((holder, 1))
          }
          continue
        }
        (body, pieces, samples, lines) = (kept.body, kept.pieces, kept.samples, kept.lines)
      }
      // An earlier request of the batch was cut off after its body went out: the server may
      // hold its samples, and sending them again would store them twice.
      // What the journals left of the batch, before a count cuts it to what is not stored.
      let afterJournals = samples
      // Whether it goes out on a count of none, which a server still storing it would give.
      var sentOnNone = false
      if entry.record.mayBeStored && force {
        log("\(name): it may be stored already (its request was cut off after its body went "
          + "out): sending it without counting (--force)")
      }
      if entry.record.mayBeStored && !force {
        // Settled as in an import: a replay right after the run that spooled the batch may meet
        // a server still storing it, or still answering from its cache. One spooled longer ago
        // than its request could take, and the pauses after, is stored by now or never: one
        // count tells, and a spool of many such batches is not ten seconds a batch.
        let pause = BatchStoredCheck.pause(timeout: configuration.timeout)
        let age = ImportSpool.age(of: entry) ?? 0
        let settled = age > configuration.timeout + 5 * pause + 60
        let reading = storedCheck(targets).settledReading(
          of: body, pause: pause, readings: settled ? 1 : 5)
        let cutOff = "its request was cut off after its body went out (\(entry.record.reason))"
        switch reading.state {
        case .none:
          let once = settled
            ? "; counted once, as it was spooled \(Int(age / 60)) minutes ago" : ""
          log("\(name): none of its \(samples) samples is stored yet (\(cutOff)\(once)): sending it")
          sentOnNone = true
        case .all:
          if !digest.isEmpty, let journal = try journalOf(settings.targets[0]) {
            try journal.record(.accepted, archive: digest, member: entry.record.member, pieces: pieces)
            journal.flush()
            try unspool(entry.record, recorded: recorded)
          }
          try spool.remove(recordPath: entry.recordPath, dataPath: entry.dataPath)
          log("\(name): its \(samples) samples are stored already (\(cutOff)): removed from the "
            + "spool, not sent")
          result.batchesAlreadyStored += 1
          result.samplesAlreadyStored += samples
          result.samplesAlreadyAccepted += entry.record.samples - samples
          continue
        case .some(let found, let total):
          guard let rest = reading.rest else {
            leaveInSpool(
              entry, as: \.batchesMaybeStored,
              "left in the spool: \(found) of its \(total) samples are stored already "
                + "(\(cutOff)), and its lines could not be cut to the rest: sending it would "
                + "store those twice; --force sends it anyway")
            continue
          }
          log("\(name): \(found) of its \(total) samples are stored already (\(cutOff)): "
            + "sending the \(total - found) that are not")
          result.batchesRestSent += 1
          result.samplesAlreadyStored += found
          body = rest
          samples = total - found
          lines = rest.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        case .unknown(let reason), .unasked(let reason):
          leaveInSpool(
            entry, as: \.batchesMaybeStored,
            "left in the spool: it may be stored already (\(cutOff)), and that was not checked: "
              + "\(reason); --force sends it anyway")
          continue
        }
      }
      var batch = ImportBatch(
        sequence: index, unitIndex: 0, path: name, member: nil, capacity: body.count)
      batch.body.append(body)
      batch.samples = samples
      batch.lines = lines
      batch.pieces = pieces
      let outcome = delivery.deliver(batch, archiveSHA256: entry.record.archiveSHA256)
      guard case .delivered(let accepted, _, _) = outcome else {
        var why = "not sent"
        if case .failed(_, let failure) = outcome {
          if sentOnNone && failure.mayHaveArrived { result.batchesResentUnfound += 1 }
          why = failure.message
          // Cut off after its body went out this time: the next replay asks before sending.
          if failure.mayHaveArrived && !entry.record.mayBeStored {
            var marked = entry.record
            marked.mayBeStored = true
            try spool.rewrite(recordPath: entry.recordPath, record: marked)
            why += "; it may be stored already, and the next replay checks before sending it"
          }
        }
        leaveInSpool(entry, as: \.batchesNotDelivered, "still not delivered: \(why)")
        continue
      }
      if !digest.isEmpty, let acceptedBy = try? ImportTarget(base: accepted),
        let journal = try journalOf(acceptedBy)
      {
        try journal.record(.accepted, archive: digest, member: entry.record.member, pieces: pieces)
        journal.flush()
        try unspool(entry.record, recorded: recorded)
      }
      try spool.remove(recordPath: entry.recordPath, dataPath: entry.dataPath)
      if sentOnNone { result.batchesResentUnfound += 1 }
      let leftOut = entry.record.samples - afterJournals
      log("replayed \(name): \(samples) samples delivered to \(accepted)"
        + (leftOut > 0 ? " (\(leftOut) it had on record were left out)" : ""))
      result.samplesAlreadyAccepted += leftOut
      result.batchesSent += 1
      result.samplesSent += samples
    }
    // A signal during the last batch still makes the run an interrupted one, as in an import.
    if isStopped { result.interrupted = true }
    result.batchesResentUnfound += deliveries.values.reduce(0) { $0 + $1.batchesResentUnfound }
    result.seconds = ImportPipeline.seconds(since: started)
    return result
  }
}

extension ImportReplay {
  /// Per line of a spooled batch (the value positions of its pieces, in order): the index in
  /// `journals` of the first that has the line's samples on record as accepted, or nil.
  static func acceptedLines(_ record: SpoolRecord, in journals: [ImportJournal]) -> [Int?] {
    let accepted = journals.map {
      $0.spoolState(archive: record.archiveSHA256, member: record.member).accepted
        .filter { piece in record.pieces.contains { $0.block == piece.block } }
    }
    var held: [Int?] = []
    for piece in record.pieces {
      for position in piece.series {
        held.append(accepted.firstIndex { pieces in
          pieces.contains { $0.covers(block: piece.block, rows: piece.rows, position: position) }
        })
      }
    }
    return held
  }

  /// The lines of `body` whose entry in `held` is nil, with the pieces they make up; nil when
  /// the body's lines do not match the record's pieces one to one.
  static func keep(_ body: [UInt8], record: SpoolRecord, unless held: [Int?])
    -> (body: [UInt8], pieces: [BatchPiece], samples: Int, lines: Int)?
  {
    var starts = [0]
    for (offset, byte) in body.enumerated() where byte == 0x0A { starts.append(offset + 1) }
    guard starts.last == body.count, starts.count - 1 == held.count else { return nil }
    var kept: [UInt8] = []
    var pieces: [BatchPiece] = []
    var samples = 0
    var lines = 0
    var line = 0
    for piece in record.pieces {
      var run: Range<Int>?
      for position in piece.series {
        defer { line += 1 }
        guard held[line] == nil else {
          if let open = run { pieces.append(BatchPiece(block: piece.block, rows: piece.rows, series: open)) }
          run = nil
          continue
        }
        kept += body[starts[line]..<starts[line + 1]]
        samples += piece.rows.count
        lines += 1
        run = (run?.lowerBound ?? position)..<(position + 1)
      }
      if let open = run { pieces.append(BatchPiece(block: piece.block, rows: piece.rows, series: open)) }
    }
    return (kept, pieces, samples, lines)
  }
}

/// Tells the person replaying about retries and fallbacks, naming the spool file.
private final class ReplayEvents: ImportEvents, @unchecked Sendable {
  let log: @Sendable (String) -> Void

  init(log: @escaping @Sendable (String) -> Void) { self.log = log }

  func retrying(_ batch: ImportBatch, attempt: Int, of attempts: Int, delay: Double,
                failure: DeliveryFailure, target: ImportTarget, countsFirst: Bool) {
    log("\(RetryPolicy.announce(attempt + 1, of: attempts, in: delay, countsFirst: countsFirst)): "
      + "\(batch.path) to \(target.base.absoluteString): \(failure.message)")
  }

  func fallingBack(_ batch: ImportBatch, failure: DeliveryFailure, to target: ImportTarget) {
    log("\(batch.path) goes to fallback \(target.base.absoluteString): \(failure.message)")
  }

  // A replay leaves a batch it could not deliver where it is; the report names it.
  func spooled(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure, path: String) {}
  func gaveUp(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure) {}
  func fileFault(_ fault: InputFault) {}

  func checkedStored(
    _ batch: ImportBatch, state: StoredState, samples: Int, failure: DeliveryFailure
  ) {
    log("\(batch.path): \(StoredState.describe(state, samples: samples, failure: failure))")
  }
}

extension ImportReplay {
  /// How many samples of `body` (import JSON lines) are older than `cutoff` (Unix ms); a line
  /// that cannot be read counts none, as the send would fail on it anyway.
  static func samples(of body: [UInt8], before cutoff: Int64) -> Int {
    var old = 0
    for line in body.split(separator: 0x0A) {
      guard let series = line.withUnsafeBytes({ SeriesLine($0) }) else { continue }
      old += series.timestamps.reduce(0) { $0 + ($1 < cutoff ? 1 : 0) }
    }
    return old
  }
}
