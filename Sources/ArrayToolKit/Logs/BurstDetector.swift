// Groups errors into incidents as they stream past in time order. Errors of one class closer
// than the gap form one burst. An error no class recognises that follows a recognised one within
// a moment is that error's consequence and joins its incident: from the same worker, or, when
// the first error named no worker, when it reports a lost batch or a skipped file or repeats the
// first error's opening words. urllib3 logs the DNS failure, then the worker logs `[Worker 37]
// Failed to send batch`, and only the second names the worker. A warning joins the same way
// but is not counted; it only adds the file it names.
//
// Logs are not always in time order: several processes write one file, or rotated files are
// concatenated in the wrong order. Memory stays flat, so nothing is sorted; instead a burst is
// kept to its definition. An error joins its class's open burst only when it is closer than the
// gap to the burst's latest error, earlier or later: inside the burst's span or just beyond
// either end, so that no two errors of a burst that are neighbours in time are the gap or more
// apart. An error earlier than the latest by the gap or more closes the burst and opens a new
// one: where a log jumps back, its incidents start over, and the analysis counts the records
// out of order so that the report can say so.

/// Finds bursts and lone errors in a time-ordered stream of errors and warnings.
struct BurstDetector {
  private struct OpenGroup {
    var burst: LogBurst
    var firstWorker: Int?
    var firstStatus: Int?
  }

  /// A recent error of a class, which later errors may be consequences of.
  private struct RecentError {
    var time: Int64
    var worker: Int?
    var slot: Int
    var serial: Int
    var followed = false
    var countedBatch = false
    /// The first words of its message, to recognise a consequence that repeats them.
    var lead: MessageLead
  }

  /// Errors of one class further apart than this (milliseconds) are separate bursts.
  let gap: Int64
  /// How soon after an error its consequences are logged (milliseconds).
  let link: Int64

  private var slots: [OpenGroup?] = []
  private var serials: [Int] = []
  /// For each slot, the latest time of its group's own errors (not the last read: time may go
  /// back). Kept apart from `slots` so that reading it does not copy a group.
  private var lastPrimary: [Int64] = []
  private var freeSlots: [Int] = []
  /// The open group of each class, by `ErrorClass.ordinal`.
  private var openByClass = [Int?](repeating: nil, count: ErrorClass.allCases.count)
  private var openByTemplate: [String: Int] = [:]
  /// When each open group expires: its queued time may be earlier than `lastPrimary + gap`,
  /// never later, and is corrected when it comes.
  private var expiries = ExpiryQueue()
  /// The slots closed by one `closeExpired`, kept to reuse their memory.
  private var expiredSlots: [Int] = []
  private var recent: [RecentError] = []
  private var recentHead = 0

  private(set) var bursts: [LogBurst] = []
  private(set) var isolated: [IsolatedError] = []
  private(set) var isolatedOmitted = 0
  private(set) var burstsOmitted = 0
  /// Error records by the class of the incident they were grouped under.
  private(set) var classCounts: [ErrorClass: Int] = [:]
  /// How many times an open group was looked at for having expired: at most once per error and
  /// once per group, however many groups are open at once.
  private(set) var expiryVisits = 0
  /// Incidents closed before their gap passed, to keep no more than `openLimit` open.
  private(set) var closedEarly = 0

  static let recentLimit = 64
  static let listLimit = 10_000
  /// At most this many incidents are open at once. A storm of errors whose messages all differ
  /// would otherwise hold one open per message until the gap passed, and memory would grow with
  /// the log.
  static let openLimit = 10_000
  /// The time used for records of an input that has no times at all.
  static let unknownTime = Int64.min / 4

  /// - Parameter gap: seconds; errors closer than this join one burst.
  init(gap: Double) {
    self.gap = max(1, Int64((gap * 1000).rounded()))
    link = min(2000, max(1, self.gap / 2))
  }

  /// Takes one error record.
  /// - Parameters:
  ///   - text: its text (its message, then kept continuation lines).
  ///   - message: its message without a leading worker tag.
  ///   - worker: the worker that logged it, if any.
  ///   - workerFile: the file that worker was processing, if known.
  ///   - isWrite: whether it is an HTTP write request that failed.
  mutating func error(
    _ record: LogRecord, text: UnsafeBufferPointer<UInt8>, message: UnsafeBufferPointer<UInt8>,
    worker: Int?, facts: MessageFacts, workerFile: String?, isWrite: Bool
  ) {
    let time = record.time?.milliseconds ?? BurstDetector.unknownTime
    closeExpired(before: time)
    if facts.errorClass == .other,
      let index = consequenceTarget(time: time, message: message, worker: worker, facts: facts)
    {
      // The error it follows already counted the batch, unless it was followed before.
      let newBatch = !(recent[index].countedBatch && !recent[index].followed)
      recent[index].followed = true
      slots[recent[index].slot]?.burst.absorbConsequence(
        time: record.time, worker: worker, facts: facts, workerFile: workerFile,
        newBatch: newBatch)
      return
    }
    let slot = openSlot(for: facts, record: record, text: text, worker: worker, time: time)
    if lastPrimary[slot] < time { lastPrimary[slot] = time }
    slots[slot]?.burst.absorbPrimary(
      time: record.time, worker: worker, facts: facts, workerFile: workerFile, isWrite: isWrite)
    // Only a recognised failure explains the errors after it; an unrecognised one does not.
    guard facts.errorClass != .other else { return }
    remember(
      RecentError(
        time: time, worker: worker, slot: slot, serial: serials[slot],
        countedBatch: facts.reportsBatchFailure, lead: MessageLead(message)))
  }

  /// Takes one warning record: it is attached to the incident it follows, if any.
  mutating func warning(
    _ record: LogRecord, text: UnsafeBufferPointer<UInt8>, message: UnsafeBufferPointer<UInt8>,
    worker: Int?, facts: MessageFacts
  ) {
    let time = record.time?.milliseconds ?? BurstDetector.unknownTime
    closeExpired(before: time)
    guard let index = consequenceTarget(time: time, message: message, worker: worker, facts: facts)
    else { return }
    slots[recent[index].slot]?.burst.absorbWarning(
      facts: facts, message: LogRecord.message(of: text), time: record.time)
  }

  /// Closes every incident still open; call once after the last record.
  mutating func finish() {
    closeExpired(before: Int64.max)
    bursts.sort { ($0.first?.milliseconds ?? 0, $0.line) < ($1.first?.milliseconds ?? 0, $1.line) }
    isolated.sort { ($0.time?.milliseconds ?? 0, $0.line) < ($1.time?.milliseconds ?? 0, $1.line) }
  }

  // MARK: - Groups

  /// The slot of the open group an error at `time` joins, opened when there is none.
  private mutating func openSlot(
    for facts: MessageFacts, record: LogRecord, text: UnsafeBufferPointer<UInt8>, worker: Int?,
    time: Int64
  ) -> Int {
    let isOther = facts.errorClass == .other
    let template = facts.template ?? ""
    let open = isOther ? openByTemplate[template] : openByClass[facts.errorClass.ordinal]
    if let slot = open {
      if lastPrimary[slot] - time < gap { return slot }
      // The log went back in time by the gap or more: this error starts a burst of its own.
      if let group = slots[slot] { close(slot, group) }
    }
    if slots.count - freeSlots.count >= BurstDetector.openLimit { closeLeastRecent() }
    var burst = LogBurst(
      errorClass: facts.errorClass, template: isOther ? template : nil, first: record.time)
    burst.sample = LogRecord.sample(of: text)
    burst.input = record.input
    burst.line = record.line
    let group = OpenGroup(burst: burst, firstWorker: worker, firstStatus: facts.status)
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
      slots[slot] = group
      lastPrimary[slot] = time
    } else {
      slot = slots.count
      slots.append(group)
      serials.append(0)
      lastPrimary.append(time)
    }
    if isOther {
      openByTemplate[template] = slot
    } else {
      openByClass[facts.errorClass.ordinal] = slot
    }
    expiries.insert(slot, expiry: time + gap)
    return slot
  }

  /// Closes every group whose latest error is the gap or more before `time`.
  private mutating func closeExpired(before time: Int64) {
    guard let queued = expiries.first, queued.expiry <= time else { return }
    expiredSlots.removeAll(keepingCapacity: true)
    // A queued time still ahead of `time` needs no look: true times are never earlier.
    while let queued = expiries.first, queued.expiry <= time {
      guard let next = earliestExpiry(), next.expiry <= time else { break }
      expiries.remove(next.slot)
      expiredSlots.append(next.slot)
    }
    // Closed in slot order, as when every slot was scanned: the order decides which incidents
    // are kept when there are more than `listLimit`, and which slots are reused first.
    expiredSlots.sort()
    for slot in expiredSlots {
      if let group = slots[slot] { close(slot, group) }
    }
  }

  /// Closes the open incident whose latest error is the oldest, to make room for another.
  private mutating func closeLeastRecent() {
    guard let first = earliestExpiry() else { return }
    if let group = slots[first.slot] { close(first.slot, group) }
    closedEarly += 1
  }

  /// The open group that expires first, with its true expiry: a queued time that later errors
  /// made too early is corrected when it comes to the front, not at each error.
  private mutating func earliestExpiry() -> (slot: Int, expiry: Int64)? {
    while let first = expiries.first {
      expiryVisits += 1
      let due = lastPrimary[first.slot] + gap
      guard due > first.expiry else { return first }
      expiries.postponeFirst(to: due)
    }
    return nil
  }

  private mutating func close(_ slot: Int, _ group: OpenGroup) {
    slots[slot] = nil
    expiries.remove(slot)
    serials[slot] += 1
    freeSlots.append(slot)
    var burst = group.burst
    if let template = burst.template {
      openByTemplate[template] = nil
    } else {
      openByClass[burst.errorClass.ordinal] = nil
    }
    classCounts[burst.errorClass, default: 0] += burst.count
    burst.assess()
    if burst.primaryCount >= 2 || burst.errorClass.standsAlone {
      if bursts.count < BurstDetector.listLimit { bursts.append(burst) } else { burstsOmitted += 1 }
      return
    }
    guard isolated.count < BurstDetector.listLimit else {
      isolatedOmitted += 1
      return
    }
    isolated.append(
      IsolatedError(
        errorClass: burst.errorClass, template: burst.template, time: burst.first,
        worker: group.firstWorker ?? burst.workerRange?.lowerBound, host: burst.host,
        port: burst.port, file: burst.files.first, status: group.firstStatus,
        message: burst.sample, count: burst.count, input: burst.input, line: burst.line,
        severity: burst.severity))
  }

  // MARK: - Consequences

  private mutating func remember(_ error: RecentError) {
    if recent.count < BurstDetector.recentLimit {
      recent.append(error)
      recentHead = recent.count % BurstDetector.recentLimit
    } else {
      recent[recentHead] = error
      recentHead = (recentHead + 1) % BurstDetector.recentLimit
    }
  }

  /// The recent error that an error or warning at `time` by `worker` is a consequence of: one
  /// still open and within `link`, logged by the same worker, or by no worker when the later
  /// record reports a lost batch or a skipped file or repeats the error's first words; preferably
  /// one that has no consequence yet.
  private func consequenceTarget(
    time: Int64, message: UnsafeBufferPointer<UInt8>, worker: Int?, facts: MessageFacts
  ) -> Int? {
    var fallback: Int?
    for step in 0..<recent.count {
      let index = (recentHead - 1 - step + 2 * recent.count) % recent.count
      let candidate = recent[index]
      let distance = time - candidate.time
      if distance > link { break }
      // A record from well before the error (the log went back in time) is not caused by it.
      if distance < -link { continue }
      guard serials[candidate.slot] == candidate.serial else { continue }
      let related: Bool
      if let cause = candidate.worker {
        related = worker == cause
      } else {
        related =
          facts.reportsBatchFailure || facts.reportsSkip || candidate.lead.isRepeated(by: message)
      }
      guard related else { continue }
      if !candidate.followed { return index }
      if fallback == nil { fallback = index }
    }
    return fallback
  }
}
