// Delivers one batch: tries the primary targets with backoff, moves to the fallback targets when
// the primary stays unreachable, and when nothing takes the batch, writes it to the spool. The
// journal learns the outcome either way.

import Foundation

/// What the stores held of a batch when a request of it had been cut off after its body went out.
public enum StoredBefore: Equatable, Sendable {
  /// Nothing was found, or no request was cut off: the whole batch was sent.
  case nothing
  /// All of it: it was not sent again.
  case all
  /// Part of it: only the rest was sent.
  case part
}

/// Where a batch ended up.
public enum DeliveryOutcome: Equatable, Sendable {
  /// Accepted by this target after this many attempts in all, with what a cut-off request of
  /// it had left stored.
  case delivered(target: String, attempts: Int, storedBefore: StoredBefore = .nothing)
  /// Written to the spool at this path.
  case spooled(path: String, attempts: Int, failure: DeliveryFailure)
  /// Neither delivered nor spooled (no spool, or the spool could not be written).
  case failed(attempts: Int, failure: DeliveryFailure)
}

/// Sends batches for one run.
final class BatchDelivery: @unchecked Sendable {
  let configuration: ImportConfiguration
  let sender: HTTPSender
  weak var events: ImportEvents?
  let spool: ImportSpool?
  var jitter: @Sendable () -> Double = { Double.random(in: 0...1) }
  /// Asked before a batch is sent again after one of its requests was cut off once its body
  /// had gone out: how much of that body the stores hold. Nil sends it again unasked.
  var storedCheck: (([UInt8]) -> StoredReading)?
  /// Batches sent again after a cut-off request of theirs that nothing of them was found stored
  /// for: a server that stores the first request later than the counts holds them twice.
  private var resentUnfound = 0
  var batchesResentUnfound: Int {
    abandonLock.lock()
    defer { abandonLock.unlock() }
    return resentUnfound
  }
  /// Set on a second interrupt: no more attempts nor waiting between them; what is not
  /// delivered goes to the spool.
  private let abandonLock = NSCondition()
  private var abandoned = false

  init(configuration: ImportConfiguration, sender: HTTPSender, events: ImportEvents?,
       spool: ImportSpool?) {
    self.configuration = configuration
    self.sender = sender
    self.events = events
    self.spool = spool
  }

  func abandonRetries() {
    abandonLock.lock()
    abandoned = true
    abandonLock.broadcast()
    abandonLock.unlock()
    sender.cancelAll()
  }

  /// Waits `seconds` before the next attempt, or less when retries are abandoned meanwhile.
  private func pause(_ seconds: Double) {
    let until = Date(timeIntervalSinceNow: seconds)
    abandonLock.lock()
    while !abandoned && abandonLock.wait(until: until) {}
    abandonLock.unlock()
  }

  private var isAbandoned: Bool {
    abandonLock.lock()
    defer { abandonLock.unlock() }
    return abandoned
  }

  private var downGroups: Set<Int> = []

  private func isDown(_ group: Int) -> Bool {
    abandonLock.lock()
    defer { abandonLock.unlock() }
    return downGroups.contains(group)
  }

  private func markDown(_ group: Int, _ down: Bool) {
    abandonLock.lock()
    if down { downGroups.insert(group) } else { downGroups.remove(group) }
    abandonLock.unlock()
  }

  /// Delivers `batch` from archive `archive` (its path and digest).
  func deliver(_ batch: ImportBatch, archiveSHA256: String) -> DeliveryOutcome {
    var body = batch.body.sharedData
    // What is left to send once part of the batch was found stored.
    var rest: [UInt8]?
    var storedBefore = StoredBefore.nothing
    var gzipped: Data?
    var attemptsSoFar = 0
    var lastFailure = DeliveryFailure(.other, "not sent")
    // Once one attempt may have reached the server, the batch may be stored there already.
    var mayBeStored = false
    // The target of the last request that was cut off and not asked about yet.
    var cutOffAt: ImportTarget?
    // Whether the next request sends again what a count found nothing of.
    var resendingUnfound = false
    let groups = [configuration.targets, configuration.fallbackTargets].filter { !$0.isEmpty }
    delivering: for (groupIndex, targets) in groups.enumerated() {
      // Once a group has stayed unreachable through a batch's whole retry budget, the batches
      // after it try it once instead of waiting through the same budget again.
      let down = isDown(groupIndex)
      let attempts = down ? 1 : max(1, configuration.retry.attempts)
      for attempt in 1...attempts {
        // After a second interrupt nothing more is sent: waiting on a server that does not
        // answer would hold the run for a --timeout per batch still queued.
        if isAbandoned {
          lastFailure = HTTPSender.cancelledFailure
          break
        }
        if let cutOff = cutOffAt, let storedCheck {
          cutOffAt = nil
          let reading = storedCheck(rest ?? Array(batch.body.bytes))
          events?.checkedStored(
            batch, state: reading.state, samples: reading.samples ?? batch.samples,
            failure: lastFailure)
          switch reading.state {
          case .all:
            return .delivered(
              target: cutOff.base.absoluteString, attempts: attemptsSoFar,
              storedBefore: storedBefore == .nothing ? .all : storedBefore)
          case .some(let found, let total):
            guard let left = reading.rest else {
              lastFailure.message += "; \(found) of its \(total) samples are stored already, and "
                + "its lines could not be cut to the rest"
              break delivering
            }
            rest = left
            body = Data(left)
            gzipped = nil
            storedBefore = .part
          case .unknown(let why):
            lastFailure.message += "; whether it is stored could not be checked: \(why)"
            break delivering
          case .unasked(let why):
            lastFailure.message += "; whether it is stored cannot be checked: \(why)"
            break delivering
          case .none:
            resendingUnfound = true
          }
        }
        let target = targets[(batch.sequence + attempt - 1) % targets.count]
        let compress = configuration.compresses(target)
        if compress && gzipped == nil {
          gzipped = Data(rest.map { Gzip.compress($0) } ?? Gzip.compress(batch.body.bytes))
        }
        attemptsSoFar += 1
        let answer = sender.post(compress ? gzipped! : body, to: target.importURL,
                                 gzipped: compress)
        // Counted once the copy may have reached the server, not when it was only meant to.
        if resendingUnfound && (answer == nil || answer!.mayHaveArrived) {
          abandonLock.lock()
          resentUnfound += 1
          abandonLock.unlock()
        }
        resendingUnfound = false
        guard let failure = answer else {
          markDown(groupIndex, false)
          return .delivered(
            target: target.base.absoluteString, attempts: attemptsSoFar, storedBefore: storedBefore)
        }
        lastFailure = failure
        mayBeStored = mayBeStored || failure.mayHaveArrived
        if failure.mayHaveArrived { cutOffAt = target }
        if !failure.isRetryable || attempt == attempts || isAbandoned { break }
        let delay = configuration.retry.delay(after: attempt, jitter: jitter())
        events?.retrying(batch, attempt: attempt, of: attempts, delay: delay, failure: failure,
                         target: target, countsFirst: cutOffAt != nil && storedCheck != nil)
        pause(delay)
      }
      if lastFailure.isUnreachable { markDown(groupIndex, true) }
      // A refusal of the data itself would be refused by the fallback too.
      if lastFailure.kind == .httpRejected || isAbandoned { break }
      if groupIndex + 1 < groups.count {
        events?.fallingBack(batch, failure: lastFailure, to: groups[groupIndex + 1][0])
      }
    }
    lastFailure.mayHaveArrived = mayBeStored
    guard let spool else {
      events?.gaveUp(batch, attempts: attemptsSoFar, failure: lastFailure)
      return .failed(attempts: attemptsSoFar, failure: lastFailure)
    }
    let record = SpoolRecord(
      target: configuration.targets[0].base.absoluteString, archive: batch.path,
      archiveSHA256: archiveSHA256, member: batch.member ?? "", pieces: batch.pieces,
      samples: batch.samples, lines: batch.lines, reason: lastFailure.message,
      mayBeStored: mayBeStored)
    do {
      let path = try spool.write(body: batch.body.bytes, record: record)
      events?.spooled(batch, attempts: attemptsSoFar, failure: lastFailure, path: path)
      return .spooled(path: path, attempts: attemptsSoFar, failure: lastFailure)
    } catch {
      let why = (error as? UserFacingError)?.userMessage ?? "\(error)"
      let failure = DeliveryFailure(lastFailure.kind, "\(lastFailure.message); spool failed: \(why)")
      events?.gaveUp(batch, attempts: attemptsSoFar, failure: failure)
      return .failed(attempts: attemptsSoFar, failure: failure)
    }
  }
}
