// `import --replay`: sends the batches of a spool folder, oldest first, and removes each one only
// after the server accepted it; the journal learns that its samples are now delivered.

import Foundation

/// What a replay did.
public struct ReplayResult: Sendable {
  public var batchesTotal = 0
  public var batchesSent = 0
  public var samplesSent = 0
  public var batchesLeft = 0
  public var samplesLeft = 0
  public var failures: [String] = []
  public var seconds: Double = 0
}

/// Replays a spool folder.
public struct ImportReplay {
  public let configuration: ImportConfiguration
  public let spool: ImportSpool

  public init(configuration: ImportConfiguration, spool: ImportSpool) {
    self.configuration = configuration
    self.spool = spool
  }

  /// Sends every spooled batch to the configured targets (or, when none was given, to the one
  /// recorded with the batch), the way an import delivers: the same retries, fallback, and
  /// shortcut for a target that stayed unreachable through one batch's retries.
  public func run(useRecordedTarget: Bool, log: @escaping @Sendable (String) -> Void) throws
    -> ReplayResult
  {
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
    let sender = HTTPSender(
      timeout: configuration.timeout, connections: 1, credentials: configuration.credentials)
    let events = ReplayEvents(log: log)
    // One delivery per set of targets, so that a dead target found by one batch is tried once
    // by the next.
    var deliveries: [String: BatchDelivery] = [:]
    var result = ReplayResult()
    let entries = try spool.entries()
    result.batchesTotal = entries.count
    for (index, entry) in entries.enumerated() {
      var settings = configuration
      let recorded = try? ImportTarget(base: entry.record.target)
      if useRecordedTarget, let recorded { settings.targets = [recorded] }
      let key = settings.targets.map(\.base.absoluteString).joined(separator: " ")
      let delivery = deliveries[key]
        ?? BatchDelivery(configuration: settings, sender: sender, events: events, spool: nil)
      deliveries[key] = delivery
      let body = try ImportSpool.readBody(entry.dataPath)
      let name = (entry.dataPath as NSString).lastPathComponent
      var batch = ImportBatch(
        sequence: index, unitIndex: 0, path: name, member: nil, capacity: body.count)
      batch.body.append(body)
      batch.samples = entry.record.samples
      batch.lines = entry.record.lines
      batch.pieces = entry.record.pieces
      let outcome = delivery.deliver(batch, archiveSHA256: entry.record.archiveSHA256)
      guard case .delivered(let accepted, _) = outcome else {
        var why = "not sent"
        if case .failed(_, let failure) = outcome { why = failure.message }
        result.batchesLeft += 1
        result.samplesLeft += entry.record.samples
        result.failures.append("\(name): \(entry.record.samples) samples still not delivered: \(why)")
        continue
      }
      let digest = entry.record.archiveSHA256
      if !digest.isEmpty, let acceptedBy = try? ImportTarget(base: accepted),
        let journal = try journalOf(acceptedBy)
      {
        try journal.record(
          .accepted, archive: digest, member: entry.record.member, pieces: entry.record.pieces)
        journal.flush()
        if let recorded, ImportJournal.folderName(for: recorded) != journal.name,
          let meant = try journalOf(recorded)
        {
          try meant.record(
            .unspooled, archive: digest, member: entry.record.member, pieces: entry.record.pieces)
          meant.flush()
        }
      }
      try spool.remove(recordPath: entry.recordPath, dataPath: entry.dataPath)
      log("replayed \(name): \(entry.record.samples) samples delivered to \(accepted)")
      result.batchesSent += 1
      result.samplesSent += entry.record.samples
    }
    result.seconds = ImportPipeline.seconds(since: started)
    return result
  }
}

/// Tells the person replaying about retries and fallbacks, naming the spool file.
private final class ReplayEvents: ImportEvents, @unchecked Sendable {
  let log: @Sendable (String) -> Void

  init(log: @escaping @Sendable (String) -> Void) { self.log = log }

  func retrying(_ batch: ImportBatch, attempt: Int, of attempts: Int, delay: Double,
                failure: DeliveryFailure, target: ImportTarget) {
    log("retry \(attempt + 1)/\(attempts) in \(formatSeconds(delay)): \(batch.path) to "
      + "\(target.base.absoluteString): \(failure.message)")
  }

  func fallingBack(_ batch: ImportBatch, failure: DeliveryFailure, to target: ImportTarget) {
    log("\(batch.path) goes to fallback \(target.base.absoluteString): \(failure.message)")
  }

  // A replay leaves a batch it could not deliver where it is; the report names it.
  func spooled(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure, path: String) {}
  func gaveUp(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure) {}
  func fileFault(_ fault: InputFault) {}
}
