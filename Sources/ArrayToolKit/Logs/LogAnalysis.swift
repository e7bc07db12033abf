// The outcome of reading logs: counts, incidents, lone errors, warnings and errors per minute.
// Every output of `analyze-logs` (text, Markdown, JSON) is rendered from this one value.

/// What `analyze-logs` found.
public struct LogAnalysis: Sendable {
  /// The inputs as named on the command line.
  public var inputs: [String] = []
  /// Why inputs could not be opened or read to their end, in the order it happened; what was
  /// read of them before is in the analysis.
  public var inputErrors: [String] = []
  /// The inputs (their positions on the command line) that could not be opened at all.
  public var unopened: Set<Int> = []
  /// Records (a line and its continuation lines) inside the time window.
  public var records = 0
  public var errors = 0
  public var warnings = 0
  /// The earliest and latest times of the records read, whatever their order.
  public var firstTime: LogTime?
  public var lastTime: LogTime?
  /// Error records by the class of the incident they were grouped under.
  public var classCounts: [ErrorClass: Int] = [:]
  /// Incidents in order of their first error.
  public var bursts: [LogBurst] = []
  public var burstsOmitted = 0
  /// Lone errors in time order.
  public var isolated: [IsolatedError] = []
  public var isolatedOmitted = 0
  /// Incidents closed before their gap passed because `BurstDetector.openLimit` were open.
  public var incidentsClosedEarly = 0
  /// Warning groups, most frequent first.
  public var warningGroups: [WarningGroup] = []
  public var warningGroupsOmitted = 0
  /// Errors per minute, keyed by minutes since 1970 on the log's clock.
  public var errorsPerMinute: [Int64: Int] = [:]
  /// Errors of minutes read after `LogAnalyzer.minuteLimit` others had errors, which
  /// `errorsPerMinute` leaves out, and the first such minute.
  public var timelineLeftOut = 0
  public var timelineCut: LogTime?
  /// The gap in seconds that separated bursts.
  public var gap: Double = 30
  public var since: LogTime?
  public var until: LogTime?
  /// Lines longer than the read buffer, which were cut.
  public var cutLines = 0
  /// The size of the read buffer in bytes, where overlong lines were cut: smaller than 1 MiB
  /// when many inputs are read (see `LogAnalyzer.bufferSize(inputs:)`).
  public var lineLimit = 1 << 20
  /// Records without a time: those of an input that never shows one, or shows its first only
  /// after `LogRecordStream.waitingLimit` records.
  public var untimedRecords = 0
  /// Such records when `since` or `until` is given, which cannot place them: they are left out.
  public var untimedLeftOut = RecordTally()
  /// The errors among `untimedLeftOut`.
  public var untimedErrorsLeftOut = 0
  /// Timed records before `since` or after `until`, left out.
  public var recordsOutsideWindow = 0
  /// Records whose timestamp is no time (February 30, hour 25): each took the time of the record
  /// before it.
  public var invalidTimes = RecordTally()
  /// Records earlier than a record read before them.
  public var outOfOrder = RecordTally()

  public init() {}

  /// The worst severity among incidents and lone errors, `nil` without errors.
  public var worstSeverity: Severity? {
    (bursts.map(\.severity) + isolated.map(\.severity)).max()
  }

  /// The exit status the analysis calls for: problems when there is any error.
  public var exitStatus: ExitStatus { errors > 0 ? .problems : .success }
}

/// How many records had something worth a note in the report, and where the first of them is.
public struct RecordTally: Equatable, Sendable {
  public var count = 0
  /// The input (its position on the command line) and line of the first such record.
  public var input = 0
  public var line = 0

  public init() {}

  mutating func add(_ record: LogRecord) {
    if count == 0 {
      input = record.input
      line = record.line
    }
    count += 1
  }
}
