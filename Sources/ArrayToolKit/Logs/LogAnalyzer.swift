// Reads records in time order and builds a `LogAnalysis`: counts every record, classifies errors
// and warnings (through a cache, since storms repeat one message), feeds errors to the burst
// detector and remembers which file each worker is processing, so that a lost batch can be
// traced to the file it came from. Records of other levels are only counted, which keeps the
// common path short.

/// What `analyze-logs` is asked to look at.
public struct LogAnalysisOptions: Sendable {
  /// Seconds: errors of one class closer than this form one burst.
  public var gap: Double = 30
  /// Only records at or after this time.
  public var since: LogTime?
  /// Only records at or before this time.
  public var until: LogTime?

  public init(gap: Double = 30, since: LogTime? = nil, until: LogTime? = nil) {
    self.gap = gap
    self.since = since
    self.until = until
  }
}

/// Analyses records handed to it in time order, or nearly: see `BurstDetector` for time that
/// goes back.
public final class LogAnalyzer {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  private let options: LogAnalysisOptions
  @exclusivity(unchecked) private var analysis = LogAnalysis()
  @exclusivity(unchecked) private var detector: BurstDetector
  @exclusivity(unchecked) private var cache = MessageFactsCache()
  /// The file each worker is processing, from `[Worker N] Processing FILE` lines.
  @exclusivity(unchecked) private var workerFiles = WorkerFiles()
  @exclusivity(unchecked) private var warningIndex: [String: Int] = [:]
  @exclusivity(unchecked) private var minute = Int64.min
  @exclusivity(unchecked) private var minuteErrors = 0
  private let trailingPadding = CacheLinePadding()

  static let warningGroupLimit = 500
  static let minuteLimit = 200_000

  public init(options: LogAnalysisOptions) {
    self.options = options
    detector = BurstDetector(gap: options.gap)
    analysis.gap = options.gap
    analysis.since = options.since
    analysis.until = options.until
  }

  /// Reads `inputs` (paths, `-` for standard input), merged by time, and analyses them.
  /// - Parameter failed: called for each input that cannot be opened or read to its end; the
  ///   other inputs are still analysed.
  public static func analyze(
    inputs: [String], options: LogAnalysisOptions, failed: @escaping (Error) -> Void
  ) -> LogAnalysis {
    final class Errors: @unchecked Sendable { var messages: [String] = [] }
    let errors = Errors()
    let noted: (Error) -> Void = { error in
      errors.messages.append((error as? UserFacingError)?.userMessage ?? "\(error)")
      failed(error)
    }
    var sources: [ByteSource?] = []
    for name in inputs {
      do {
        sources.append(try LogInput.open(name))
      } catch {
        noted(error)
        sources.append(nil)
      }
    }
    var analysis = analyze(sources: sources, options: options, failed: noted)
    analysis.inputs = inputs
    analysis.inputErrors = errors.messages
    analysis.unopened = Set(sources.indices.filter { sources[$0] == nil })
    return analysis
  }

  /// Analyses opened inputs; `nil` stands for one that could not be opened.
  static func analyze(
    sources: [ByteSource?], options: LogAnalysisOptions, failed: @escaping (Error) -> Void
  ) -> LogAnalysis {
    let analyzer = LogAnalyzer(options: options)
    let bufferSize = LogAnalyzer.bufferSize(inputs: sources.count)
    let streams = sources.enumerated().compactMap { index, source in
      source.map {
        LogRecordStream(input: index, source: $0, bufferSize: bufferSize, keepsRoutineText: false)
      }
    }
    let records = RecordPipe(streams: streams, failed: failed)
    records.forEach { analyzer.add($0, text: $1) }
    var analysis = analyzer.finish()
    analysis.cutLines = streams.reduce(0) { $0 + $1.cutLines }
    analysis.lineLimit = bufferSize
    return analysis
  }

  /// The read buffer of each of `inputs` inputs, which is also the longest line each keeps
  /// whole: 1 MiB, less when many inputs share a budget of 64 MiB, a whole number of KiB so
  /// that the note on cut lines names it plainly. Every buffer is filled when its input is
  /// longer, and 4,000 inputs took 256 MiB at the 64 KiB this was once kept to; at 16 KiB they
  /// take 64 MiB, and lines longer than that are rare.
  static func bufferSize(inputs: Int) -> Int {
    max(16 << 10, min(1 << 20, (64 << 20) / max(1, inputs)) & ~1023)
  }

  /// Takes the next record in time order.
  public func add(_ record: LogRecord) {
    add(record, text: record.textBuffer.contents)
  }

  /// Takes the next record, whose text is `text` rather than its own: the analysis reads
  /// records straight from the batches they were handed over in.
  func add(_ record: LogRecord, text: UnsafeBufferPointer<UInt8>) {
    if let time = record.time {
      if let since = options.since, time < since {
        analysis.recordsOutsideWindow += 1
        return
      }
      if let until = options.until, time > until {
        analysis.recordsOutsideWindow += 1
        return
      }
      if let last = analysis.lastTime {
        if time > last {
          analysis.lastTime = time
        } else if time < last {
          noteOutOfOrder(record, time)
        }
      } else {
        analysis.firstTime = time
        analysis.lastTime = time
      }
    } else {
      if options.since != nil || options.until != nil {
        // A record its input gave no time for (see `LogRecordStream.waitingLimit`) cannot be
        // placed inside the window or outside it: it is left out, and the report says so.
        analysis.untimedLeftOut.add(record)
        if record.isError { analysis.untimedErrorsLeftOut += 1 }
        return
      }
      analysis.untimedRecords += 1
    }
    analysis.records += 1
    if record.timeIsInvalid { analysis.invalidTimes.add(record) }
    if record.isError {
      addError(record, text)
    } else if record.level == .warning {
      addWarning(record, text)
    } else if text.first == 0x5B {
      followWorker(text)
    }
  }

  /// Counts a record earlier than the latest one read; the log's range widens to take it.
  private func noteOutOfOrder(_ record: LogRecord, _ time: LogTime) {
    analysis.outOfOrder.add(record)
    if let first = analysis.firstTime, time < first { analysis.firstTime = time }
  }

  /// How often the burst detector looked at an open incident for having expired.
  var expiryVisits: Int { detector.expiryVisits }

  /// Closes open incidents and returns the analysis.
  public func finish() -> LogAnalysis {
    detector.finish()
    countMinute(nil)
    analysis.bursts = detector.bursts
    analysis.burstsOmitted = detector.burstsOmitted
    analysis.isolated = detector.isolated
    analysis.isolatedOmitted = detector.isolatedOmitted
    analysis.classCounts = detector.classCounts
    analysis.incidentsClosedEarly = detector.closedEarly
    analysis.warningGroups.sort { $0.count > $1.count }
    return analysis
  }

  private func addError(_ record: LogRecord, _ text: UnsafeBufferPointer<UInt8>) {
    analysis.errors += 1
    countMinute(record.time)
    let (worker, facts, message) = read(text, status: record.status, field: record.workerField)
    // Only a lost batch or an unreadable archive is traced to the worker's file.
    let traced = facts.reportsBatchFailure || facts.errorClass.isArchive
    let workerFile = traced ? worker.flatMap { workerFiles.file(of: $0) } : nil
    let isWrite = record.status != 0 && MessageFields.isWriteRequest(text)
    detector.error(
      record, text: text, message: message, worker: worker, facts: facts,
      workerFile: workerFile, isWrite: isWrite)
  }

  private func addWarning(_ record: LogRecord, _ text: UnsafeBufferPointer<UInt8>) {
    analysis.warnings += 1
    let (worker, facts, message) = read(
      text, status: record.status, field: record.workerField, templated: true)
    detector.warning(record, text: text, message: message, worker: worker, facts: facts)
    let template = facts.template ?? ""
    let key = facts.warningKind.rawValue + " " + template
    if let index = warningIndex[key] {
      analysis.warningGroups[index].count += 1
      if let time = record.time { analysis.warningGroups[index].note(time) }
    } else if analysis.warningGroups.count < LogAnalyzer.warningGroupLimit {
      warningIndex[key] = analysis.warningGroups.count
      analysis.warningGroups.append(
        WarningGroup(
          kind: facts.warningKind, template: template, count: 1, first: record.time,
          last: record.time, sample: LogRecord.sample(of: text)))
    } else {
      analysis.warningGroupsOmitted += 1
    }
  }

  /// The worker, the facts and the message without its worker tag. A `[Worker N]` tag opening
  /// the message is read here and left out of the cache key, so that one message from many
  /// workers is one entry.
  @inline(__always)
  private func read(
    _ text: UnsafeBufferPointer<UInt8>, status: Int, field: Int?, templated: Bool = false
  ) -> (Int?, MessageFacts, UnsafeBufferPointer<UInt8>) {
    var worker = field
    var keyStart = 0
    if let tag = MessageFields.leadingWorkerTag(text) {
      worker = worker ?? tag.worker
      keyStart = tag.end
    }
    let message = UnsafeBufferPointer(rebasing: text[keyStart...])
    let facts = cache.facts(of: message, accessStatus: status, templated: templated)
    return (worker ?? facts.worker, facts, message)
  }

  /// Follows `[Worker N] Processing FILE` and `[Worker N] done` to know each worker's file.
  @inline(__always)
  private func followWorker(_ text: UnsafeBufferPointer<UInt8>) {
    guard let tag = MessageFields.leadingWorkerTag(text) else { return }
    let rest = UnsafeBufferPointer(rebasing: text[tag.end...])
    if MessageFields.startsWithCompletion(rest) {
      workerFiles.clear(tag.worker)
    } else if let range = MessageFields.fileNameRange(in: rest) {
      workerFiles.set(tag.worker, UnsafeBufferPointer(rebasing: rest[range]))
    }
  }

  /// Minutes since 1970 on the log's clock, rounded down.
  static func minute(of time: LogTime) -> Int64 {
    let milliseconds = time.milliseconds
    return milliseconds >= 0 ? milliseconds / 60_000 : (milliseconds - 59_999) / 60_000
  }

  /// Adds an error to the per-minute counts; `nil` flushes the minute being counted.
  @inline(__always)
  private func countMinute(_ time: LogTime?) {
    let current = time.map { LogAnalyzer.minute(of: $0) }
    if current != minute || time == nil {
      if minuteErrors > 0 {
        if analysis.errorsPerMinute.count < LogAnalyzer.minuteLimit
          || analysis.errorsPerMinute[minute] != nil
        {
          analysis.errorsPerMinute[minute, default: 0] += minuteErrors
        } else {
          // Memory stays bounded, and the timeline says what it does not show.
          if analysis.timelineCut == nil {
            analysis.timelineCut = LogTime(milliseconds: minute * 60_000)
          }
          analysis.timelineLeftOut += minuteErrors
        }
      }
      minuteErrors = 0
      minute = current ?? Int64.min
    }
    if time != nil { minuteErrors += 1 }
  }
}
