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
  /// recorded with the batch).
  public func run(useRecordedTarget: Bool, log: (String) -> Void) throws -> ReplayResult {
    let started = DispatchTime.now()
    // Journals are kept per primary target: a batch goes on record in the journal of the target
    // it was meant for when it was spooled.
    let journalRoot = configuration.journalDirectory.map { ($0 as NSString).deletingLastPathComponent }
    var journals: [String: ImportJournal] = [:]
    func journal(for record: SpoolRecord) throws -> ImportJournal? {
      guard let journalRoot, let target = try? ImportTarget(base: record.target) else { return nil }
      let folder = journalRoot + "/" + ImportJournal.folderName(for: target)
      if let open = journals[folder] { return open }
      let opened = try ImportJournal(directory: folder)
      journals[folder] = opened
      return opened
    }
    let sender = HTTPSender(
      timeout: configuration.timeout, connections: 1, credentials: configuration.credentials)
    var result = ReplayResult()
    let entries = try spool.entries()
    result.batchesTotal = entries.count
    for entry in entries {
      var targets = configuration.targets
      if useRecordedTarget, let recorded = try? ImportTarget(base: entry.record.target) {
        targets = [recorded]
      }
      let body = try ImportSpool.readBody(entry.dataPath)
      let payload = Data(body)
      var delivered = false
      var lastFailure = DeliveryFailure(.other, "not sent")
      let attempts = max(1, configuration.retry.attempts)
      for attempt in 1...attempts {
        let target = targets[(attempt - 1) % targets.count]
        let compress = configuration.compresses(target)
        let data = compress ? Data(Gzip.compress(body)) : payload
        guard let failure = sender.post(data, to: target.importURL, gzipped: compress) else {
          delivered = true
          break
        }
        lastFailure = failure
        if !failure.isRetryable || attempt == attempts { break }
        let delay = configuration.retry.delay(after: attempt, jitter: Double.random(in: 0...1))
        log("retry \(attempt + 1)/\(attempts) in \(formatSeconds(delay)): "
          + "\((entry.dataPath as NSString).lastPathComponent) to \(target.base.absoluteString): "
          + failure.message)
        Thread.sleep(forTimeInterval: delay)
      }
      let name = (entry.dataPath as NSString).lastPathComponent
      guard delivered else {
        result.batchesLeft += 1
        result.samplesLeft += entry.record.samples
        result.failures.append("\(name): \(entry.record.samples) samples still not delivered: \(lastFailure.message)")
        continue
      }
      if let journal = try journal(for: entry.record), !entry.record.archiveSHA256.isEmpty {
        try journal.record(
          .accepted, archive: entry.record.archiveSHA256, member: entry.record.member,
          pieces: entry.record.pieces)
        journal.flush()
      }
      try spool.remove(recordPath: entry.recordPath, dataPath: entry.dataPath)
      log("replayed \(name): \(entry.record.samples) samples delivered")
      result.batchesSent += 1
      result.samplesSent += entry.record.samples
    }
    result.seconds = ImportPipeline.seconds(since: started)
    return result
  }
}
