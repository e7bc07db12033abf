// `arraytool analyze-logs`: reads importer and service logs and writes the incident analysis an
// engineer would otherwise write by hand: bursts of errors with their cause, impact and the
// commands to run next, then a summary table. Options are validated here; the reading is in
// `LogAnalyzer` and the writing in `IncidentReport`.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Finds error bursts in logs and reports them as incidents.
public enum AnalyzeLogsCommand: Command {
  public static let spec = CommandSpec(
    name: "analyze-logs",
    summary: "Find error bursts in importer and service logs and explain them.",
    discussion: """
      Reads logs written by Python logging, uvicorn, docker compose or docker logs --timestamps,
      or as JSON lines, plain or gzip-compressed; several inputs are merged by time. Errors are
      classified (dns_temporary, connection_refused, timeout, http_5xx, corrupt_archive, ...),
      errors of one class closer than the gap form a burst, and each burst is reported with its
      severity, probable causes, impact and the checks to run next. On a terminal the report
      starts with a timeline of errors per minute.

      Exit status: 0 when the logs hold no error, 1 when they do, 2 for a usage error or an
      input that cannot be read.
      """,
    positionals: [
      PositionalSpec(
        "LOG", help: "A log file or a pipe, .gz included; - for standard input (once).",
        variadic: true)
    ],
    options: [
      OptionSpec("json", help: "Print one JSON object instead of the report."),
      OptionSpec("markdown", help: "Print the report as Markdown, for a ticket."),
      OptionSpec(
        "gap", .value(placeholder: "SECONDS"),
        help: "Errors of one class closer than this form one burst (default 30; 90s, 2m, 1h)."),
      OptionSpec(
        "since", .value(placeholder: "TIME"),
        help: "Only records at or after TIME (2025-10-07[ 01:20[:SS[.mmm]]], no zone)."),
      OptionSpec("until", .value(placeholder: "TIME"), help: "Only records at or before TIME; a day or minute counts whole."),
      OptionSpec("timeline", help: "Show errors per minute even when stdout is not a terminal."),
    ],
    examples: [
      "arraytool analyze-logs /var/log/importer/api.log",
      "docker compose logs --no-log-prefix api | arraytool analyze-logs -",
      "arraytool analyze-logs --json --gap 10 api.log.1.gz api.log",
      "arraytool analyze-logs --markdown --since '2025-10-07 01:00' api.log > incident.md",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    // The analysis is done before its report is printed: `| head` must not change its verdict.
    context.console.out.outlivesReader = true
    let options = try analysisOptions(arguments)
    if arguments.flag("json") && arguments.flag("markdown") {
      throw UsageError("--json and --markdown cannot be combined", command: spec.name)
    }
    // Two readers of one standard input would each get an arbitrary part of it.
    if arguments.positionals.filter({ $0 == "-" }).count > 1 {
      throw UsageError("- (standard input) can be given only once", command: spec.name)
    }
    try refuseRepeatedInputs(arguments.positionals)
    try makeRoom(for: arguments.positionals)
    let console = context.console
    var inputFailed = false
    let analysis = LogAnalyzer.analyze(inputs: arguments.positionals, options: options) { error in
      inputFailed = true
      if let known = error as? UserFacingError {
        console.error(known.userMessage)
      } else {
        console.error("\(error)")
      }
    }

    // "No errors" about a log that was not understood would be a false all-clear. A log whose
    // every timestamp is invalid was understood: its records were counted, without times; so
    // was one whose records all lie outside --since and --until.
    let understood =
      analysis.firstTime != nil || analysis.invalidTimes.count > 0
      || analysis.recordsOutsideWindow > 0
      || !arguments.positionals.contains { Self.hasContent($0, recordsRead: analysis.records) }
    if arguments.flag("json") {
      try console.print(analysis.json.rendered())
    } else if analysis.unopened.count == arguments.positionals.count {
      // A report of no records would read as an all-clear: the errors above are the answer.
      return .usage
    } else if !understood {
      // Nor is a report of what was not understood any use: its counts and "lone errors" are
      // of lines that may not be log records at all.
    } else {
      let report = IncidentReport(analysis: analysis)
      if arguments.flag("markdown") {
        try console.out.write(report.markdown())
      } else {
        let timeline = arguments.flag("timeline") || isatty(1) == 1
        try report.write(timeline: timeline, console: console, to: console.out)
      }
    }
    if analysis.cutLines > 0 {
      let lines =
        analysis.cutLines == 1 ? "1 overlong line was" : "\(analysis.cutLines) overlong lines were"
      // The limit is smaller when many inputs share the memory the buffers may take.
      let limit = analysis.lineLimit
      let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit >> 10) KiB"
      console.warning("\(lines) cut at \(size)")
    }
    if analysis.records == 0, analysis.recordsOutsideWindow > 0 {
      console.warning(
        "no record lies between --since and --until: all \(analysis.recordsOutsideWindow) timed "
          + "records of the log are outside that window")
    } else if !understood {
      console.error(
        "no line was recognised as a timed log record (Python logging, uvicorn, docker compose, "
          + "docker logs --timestamps or JSON lines): nothing was analysed")
      return .usage
    }
    return inputFailed ? .usage : analysis.exitStatus
  }

  /// Refuses one log given under two names (`api.log ./api.log`, a link to it, `-` and
  /// `/dev/stdin`): a file would be counted twice, and one pipe read by two readers split
  /// between them. Inputs that cannot be looked at are left to fail when they are opened.
  static func refuseRepeatedInputs(_ inputs: [String]) throws {
    var seen: [[UInt64]: String] = [:]
    for input in inputs {
      var info = stat()
      let found = input == "-" ? fstat(0, &info) == 0 : stat(input, &info) == 0
      guard found else { continue }
      let kind = info.st_mode & S_IFMT
      guard kind == S_IFREG || kind == S_IFIFO else { continue }
      let key = [UInt64(info.st_dev), UInt64(info.st_ino)]
      let name = input == "-" ? LogInput.standardInputName : input
      if let earlier = seen[key] {
        let harm =
          kind == S_IFIFO
          ? "pipe: give it once, as two readers would split its records between them"
          : "file: give it once, or its records would be counted twice"
        throw UsageError("\(earlier) and \(name) are the same \(harm)", command: spec.name)
      }
      seen[key] = name
    }
  }

  /// Raises the limit on open files so that every input can be open at once, as the merge by
  /// time needs, or refuses before reading anything: with the inputs beyond the limit left
  /// unopened, the report would be of the first thousand logs, and say so only in passing.
  static func makeRoom(for inputs: [String]) throws {
    guard let (limit, needed) = OpenFileLimit.makeRoom(for: inputs.count) else { return }
    // A round number, with room for the descriptors a shell or service leaves open.
    let suggested = (needed + 1023) / 1024 * 1024
    throw UsageError(
      "\(inputs.count) logs cannot all be open at once, as merging them by time needs: the limit "
        + "on open files is \(limit), and the hard limit (ulimit -Hn) allows no more; raise it, "
        + "as with ulimit -n \(suggested) (past the hard limit only root can), or give fewer logs",
      command: spec.name)
  }

  /// Whether `input` holds more than blank lines (a file is read again, through gzip when it is
  /// compressed, up to its first other byte): an empty log and one of blank lines are both logs
  /// with nothing in them. Standard input and a pipe cannot be read again; they held something
  /// when the analysis read a record (`recordsRead`, all inputs together), so that an empty one
  /// reads as an empty file does.
  private static func hasContent(_ input: String, recordsRead: Int) -> Bool {
    if input == "-" || LogInput.isPipe(input) { return recordsRead > 0 }
    guard let source = try? LogInput.open(input) else { return false }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    defer { buffer.deallocate() }
    let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
    while let count = try? source.read(into: buffer), count > 0 {
      if buffer[..<count].contains(where: { !blank.contains($0) }) { return true }
    }
    return false
  }

  private static func analysisOptions(_ arguments: ParsedArguments) throws -> LogAnalysisOptions {
    var options = LogAnalysisOptions()
    if let gap = try arguments.seconds("gap") {
      guard gap > 0 else {
        throw UsageError(
          "invalid --gap '\(arguments.string("gap") ?? "")': the gap must be longer than 0 s",
          command: spec.name)
      }
      options.gap = gap
    }
    options.since = try bound("since", arguments)
    options.until = try bound("until", arguments)
    if let since = options.since, let until = options.until, since > until {
      throw UsageError("--since \(since.text) is after --until \(until.text)", command: spec.name)
    }
    return options
  }

  private static func bound(_ name: String, _ arguments: ParsedArguments) throws -> LogTime? {
    guard let text = arguments.string(name) else { return nil }
    if LogTime.boundHasZone(text) {
      // Log times are compared as written, their own offsets unapplied; an offset here would
      // seem to be honoured and would not be.
      throw UsageError(
        "invalid --\(name) '\(text)': give the time as the log writes it, without a time zone "
          + "(the log's times are read without zone conversion)", command: spec.name)
    }
    guard let time = LogTime.parseBound(text, throughItsEnd: name == "until") else {
      throw UsageError(
        "invalid --\(name) '\(text)': expected a time such as 2025-10-07, 2025-10-07 01:22 or "
          + "2025-10-07T01:22:09.120", command: spec.name)
    }
    return time
  }
}
