// One incident found in a log: errors of one class close together in time, with the errors they
// caused (the `Failed to send batch` line after a DNS failure). Only aggregates are kept (counts,
// the worker range, a bounded set of hosts and files), so a storm of millions of lines costs the
// same memory as a storm of ten.

/// How bad an incident is for the data.
public enum Severity: String, Comparable, Sendable {
  /// Low: nothing is known to be lost.
  case low
  /// A file was skipped: its samples are missing until it is imported again.
  case medium
  /// Data was not imported: batches were lost, writes rejected, or the importer died.
  case critical

  public static func < (lhs: Severity, rhs: Severity) -> Bool {
    lhs.rank < rhs.rank
  }

  private var rank: Int {
    switch self {
    case .low: return 0
    case .medium: return 1
    case .critical: return 2
    }
  }
}

/// An incident: a burst of errors of one class and the errors grouped under it.
public struct LogBurst: Sendable {
  public var errorClass: ErrorClass
  /// For `other`, the template the errors share.
  public var template: String?
  /// When the first error of the class was written; `nil` for a log without times.
  public var first: LogTime?
  /// When the last error grouped here was written.
  public var last: LogTime?
  /// Every error record grouped here: the class's own errors and the errors they caused.
  public var count = 0
  /// The errors of the class itself.
  public var primaryCount = 0
  /// The worker numbers seen (`[Worker N]`), as a range and a count of distinct ones.
  public var workerRange: ClosedRange<Int>?
  public var workerCount: Int { workers.count }
  var workers = WorkerSet()
  /// Hosts named by the errors, in order of appearance (at most `listLimit`).
  public var hosts: [String] = []
  /// The host and port of the first error that named them.
  public var host: String?
  public var port: Int?
  /// Files named or being processed, in order of appearance (at most `listLimit`).
  public var files: [String] = []
  /// How many distinct files there were beyond `listLimit`.
  public var filesOmitted = 0
  /// Files that were skipped because of the incident, by name where the log gave one.
  public var skippedFiles = Set<String>()
  /// Batches of samples reported lost.
  public var batchesFailed = 0
  /// HTTP write requests (`POST`, `PUT` to an import path) answered with an error.
  public var rejectedWrites = 0
  /// HTTP statuses seen, with how often.
  public var statuses: [Int: Int] = [:]
  /// For archive classes, why the archive could not be read.
  public var reason: String?
  /// The first error's message.
  public var sample = ""
  /// The template of the first error caused by the burst's errors, such as
  /// `[Worker <n>] Failed to send batch`.
  public var consequenceTemplate: String?
  /// The first warning that followed the burst's errors and named a file, such as
  /// `[Worker 9359] Skipping corrupted file: …`, and when it was written.
  public var followingWarning: String?
  public var followingWarningTime: LogTime?
  /// Where the first error is: the input and line.
  public var input = 0
  public var line = 0
  public var severity = Severity.low

  /// The most hosts and files listed per incident.
  public static let listLimit = 32

  init(errorClass: ErrorClass, template: String?, first: LogTime?) {
    self.errorClass = errorClass
    self.template = template
    self.first = first
    self.last = first
  }

  /// Seconds from the first to the last error.
  public var duration: Double {
    guard let first, let last else { return 0 }
    return Double(last.milliseconds - first.milliseconds) / 1000
  }

  /// How many files the incident kept from being imported.
  public var filesSkipped: Int {
    errorClass.isArchive ? max(primaryCount, skippedFiles.count) : skippedFiles.count
  }

  /// `host:port` for the host the port was given with, the name alone for the others.
  public func endpoint(of name: String) -> String {
    guard name == host, let port else { return name }
    return "\(name):\(port)"
  }

  /// Counts an error of the burst's own class.
  mutating func absorbPrimary(
    time: LogTime?, worker: Int?, facts: MessageFacts, workerFile: String?, isWrite: Bool
  ) {
    primaryCount += 1
    count += 1
    noteTime(time)
    noteWorker(worker)
    noteHost(facts.host, port: facts.port)
    let archive = errorClass.isArchive
    noteFile(facts.file ?? (archive ? workerFile : nil), skipped: archive || facts.reportsSkip)
    if let status = facts.status { statuses[status, default: 0] += 1 }
    if facts.reportsBatchFailure {
      batchesFailed += 1
      noteFile(workerFile, skipped: false)
    }
    if isWrite { rejectedWrites += 1 }
    if reason == nil { reason = facts.reason }
  }

  /// Counts an error caused by one of the burst's errors.
  /// - Parameter newBatch: whether a batch it reports lost was not counted already.
  mutating func absorbConsequence(
    time: LogTime?, worker: Int?, facts: MessageFacts, workerFile: String?, newBatch: Bool
  ) {
    count += 1
    if consequenceTemplate == nil { consequenceTemplate = facts.template }
    noteTime(time)
    noteWorker(worker)
    noteHost(facts.host, port: facts.port)
    noteFile(facts.file, skipped: facts.reportsSkip)
    if facts.reportsBatchFailure {
      if newBatch { batchesFailed += 1 }
      noteFile(workerFile, skipped: false)
    }
  }

  /// Takes what a warning that followed one of the burst's errors names; it is not counted.
  mutating func absorbWarning(
    facts: MessageFacts, message: @autoclosure () -> String, time: LogTime?
  ) {
    if followingWarning == nil, facts.file != nil {
      followingWarning = message()
      followingWarningTime = time
    }
    noteFile(facts.file, skipped: facts.reportsSkip)
    noteHost(facts.host, port: facts.port)
  }

  mutating func noteWorker(_ worker: Int?) {
    guard let worker else { return }
    if let range = workerRange {
      if !range.contains(worker) {
        workerRange = min(range.lowerBound, worker)...max(range.upperBound, worker)
      }
    } else {
      workerRange = worker...worker
    }
    workers.insert(worker)
  }

  mutating func noteHost(_ name: String?, port: Int?) {
    guard let name else { return }
    if host == nil {
      host = name
      self.port = port
    }
    if name != host, hosts.count < LogBurst.listLimit, !hosts.contains(name) { hosts.append(name) }
    if hosts.isEmpty { hosts.append(name) }
  }

  mutating func noteFile(_ name: String?, skipped: Bool) {
    guard let name else { return }
    if skipped { skippedFiles.insert(name) }
    guard !files.contains(name) else { return }
    if files.count < LogBurst.listLimit { files.append(name) } else { filesOmitted += 1 }
  }

  mutating func noteTime(_ time: LogTime?) {
    guard let time else { return }
    if let last, last >= time {
      // Lines of one file are not always in order (several processes write to it).
      if let first, time < first { self.first = time }
      return
    }
    last = time
    if first == nil { first = time }
  }

  /// Sets `severity` from what the incident did to the data.
  mutating func assess() {
    if batchesFailed > 0 || rejectedWrites > 0 || errorClass == .outOfMemory
      || errorClass == .diskFull
    {
      severity = .critical
    } else if filesSkipped > 0 {
      severity = .medium
    } else {
      severity = .low
    }
  }
}
