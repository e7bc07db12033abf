// The report `analyze-logs` prints: an overview, the errors-per-minute timeline on a terminal,
// each incident written out (what happened, probable causes, impact, next checks), the lone
// errors, the warnings counted apart, and a summary table to paste or compare.

import Foundation

/// The text report of a `LogAnalysis`.
public struct IncidentReport {
  public let analysis: LogAnalysis
  /// Lone errors listed one by one at most; the rest are counted.
  static let isolatedShown = 20
  static let warningsShown = 10

  public init(analysis: LogAnalysis) {
    self.analysis = analysis
  }

  /// The advice for each incident, in order.
  var advice: [IncidentAdvice] {
    analysis.bursts.map { IncidentAdvice(burst: $0, input: analysis.inputName($0.input)) }
  }

  /// The plain-text report, coloured through `console` when it allows.
  public func text(timeline: Bool, console: Console? = nil) -> String {
    var text = ReportText()
    for part in textParts(timeline: timeline, console: console) { text += part }
    return text.string
  }

  /// Writes the plain-text report to `out`, coloured through `console` when it allows.
  public func write(timeline: Bool, console: Console? = nil, to out: OutputStream) throws {
    for part in textParts(timeline: timeline, console: console) {
      try part.withBytes { try out.write(bytes: UnsafeRawBufferPointer($0)) }
    }
  }

  /// Bytes of room made per incident: an incident's text is about 2 KB, longer with long lists
  /// of hosts and files.
  static let incidentCapacity = 4096

  /// The plain-text report in parts to be written one after the other: the overview, the
  /// incidents of each chunk rendered together, then the rest.
  private func textParts(timeline: Bool, console: Console?) -> [ReportText] {
    var head: ReportText =
      "Log analysis of \(list: analysis.openedInputNames, limit: 3)\(unopenedNote)\n"
    head.write(overview, separator: "\n") { $0 += "  \($1)" }
    head.write("\n")
    if timeline, !analysis.errorsPerMinute.isEmpty {
      head += "\n\(ErrorTimeline.render(analysis.errorsPerMinute))"
      if let cut = analysis.timelineCut {
        head +=
          "  \(count: analysis.timelineLeftOut, "error") not drawn: the timeline holds "
          + "\(LogAnalyzer.minuteLimit) minutes, and those read after it was full (the first at "
          + "\(cut)) are left out\n"
      }
    }
    // Incidents are written side by side on all cores, a chunk into one text, joined in order.
    let bursts = analysis.bursts
    let incidents = OrderedParallelMap.mapChunks(bursts.count) { indices in
      // Room for the whole chunk at once: grown by doubling, a chunk of megabytes was copied a
      // dozen times into fresh memory, each page of it faulted in anew. Room not written to
      // is never touched, so it costs no memory.
      var text = ReportText(capacity: indices.count * IncidentReport.incidentCapacity)
      for index in indices { writeIncident(index, bursts[index], into: &text, console: console) }
      return text
    }
    var tail = ReportText()
    writeIsolatedSection(into: &tail)
    writeWarningSection(into: &tail)
    if !analysis.bursts.isEmpty {
      tail.write("\nSummary\n")
      writeSummaryTable(into: &tail)
    }
    return [head] + incidents + [tail]
  }

  /// Writes incident `index`, from the blank line before its title to its next checks.
  private func writeIncident(
    _ index: Int, _ burst: LogBurst, into text: inout ReportText, console: Console?
  ) {
    let evidence = IncidentEvidence(burst: burst, input: analysis.inputName(burst.input))
    text.write("\n")
    var label: ReportText = "Incident \(index + 1) · "
    label.writeUppercased(burst.severity.rawValue)
    if let console, console.colour, let colour = Self.colour(of: burst.severity) {
      text.writeStyled(console.styled(label.string, colour))
    } else {
      text += label
    }
    text += " · \(burst.errorClass.rawValue): \(evidence.headline)\n"
    facts(of: burst) { name, value in
      text.write("  ")
      text.appendInterpolation(name, padded: 9)
      text += value
      text.write("\n")
    }
    text.write("  What happened\n")
    text.writeWrapped(evidence.happened, indent: 4)
    text.write("\n  Probable causes\n")
    evidence.causes { cause in
      text.writeWrapped(cause, indent: 4, hanging: 6, bullet: "-")
      text.write("\n")
    }
    text.write("  Impact\n")
    text.writeWrapped(evidence.impact, indent: 4)
    text.write("\n  Next checks\n")
    evidence.checks { check in
      text.write("    $ ")
      text += check
      text.write("\n")
    }
  }

  /// The colour an incident's title is written in, `nil` for one that loses nothing.
  private static func colour(of severity: Severity) -> Console.Style? {
    switch severity {
    case .critical: return .red
    case .medium: return .yellow
    case .low: return nil
    }
  }

  /// The lines under the title: records and window, then errors and incidents.
  var overview: [String] {
    // A window that holds nothing has no time range of its own to give.
    var lines = [
      analysis.records == 0 && analysis.recordsOutsideWindow > 0
        ? "no record in the window ("
          + ReportFormat.count(analysis.recordsOutsideWindow, "record") + " outside it)"
        : ReportFormat.count(analysis.records, "record") + ", "
          + ReportFormat.window(analysis.firstTime, analysis.lastTime)
    ]
    if analysis.since != nil || analysis.until != nil {
      let from = analysis.since?.text ?? "the start"
      let to = analysis.until?.text ?? "the end"
      lines.append("window: \(from) to \(to)")
    }
    guard analysis.errors > 0 else {
      lines.append("no errors, " + ReportFormat.count(analysis.warnings, "warning"))
      return lines + notes
    }
    let severities = [Severity.critical, .medium, .low].compactMap { severity -> String? in
      // Counted by index: iterating the incidents, even to count them, copies each one.
      let count = analysis.bursts.indices.count { analysis.bursts[$0].severity == severity }
      return count > 0 ? "\(count) \(severity.rawValue)" : nil
    }
    let incidents =
      analysis.bursts.isEmpty
      ? "no incident"
      : ReportFormat.count(analysis.bursts.count, "incident")
        + " (\(severities.joined(separator: ", ")))"
    let lone = analysis.isolated.count + analysis.isolatedOmitted
    lines.append(
      ReportFormat.count(analysis.errors, "error") + ", "
        + ReportFormat.count(analysis.warnings, "warning") + ": \(incidents), "
        + (lone == 0 ? "no lone errors" : ReportFormat.count(lone, "lone error")))
    return lines + notes
  }

  /// After the heading's list of the inputs read, how many others could not be opened: the
  /// heading must not claim them as analysed (the overview says why each failed).
  var unopenedNote: String {
    let count = analysis.unopened.count
    guard count > 0 else { return "" }
    return " (\(ReportFormat.count(count, "other input")) could not be opened)"
  }

  /// What the overview says about inputs that were not read whole and records whose times
  /// could not be taken as written.
  private var notes: [String] {
    var lines = analysis.inputErrors.map { "input error: \($0)" }
    if analysis.untimedRecords > 0 {
      lines.append("\(analysis.untimedRecords) records carry no time: their order is the file's")
    }
    let untimed = analysis.untimedLeftOut
    if untimed.count > 0 {
      let errors = analysis.untimedErrorsLeftOut
      let among = errors > 0 ? ", " + ReportFormat.count(errors, "error") + " among them" : ""
      lines.append(
        ReportFormat.count(untimed.count, "record") + " without a time (first at "
          + "\(analysis.inputName(untimed.input)):\(untimed.line)\(among)) left out, as "
          + "--since and --until cannot place them")
    }
    let invalid = analysis.invalidTimes
    if invalid.count > 0 {
      lines.append(
        "\(invalid.count) \(invalid.count == 1 ? "record has" : "records have") an invalid "
          + "timestamp (first at \(analysis.inputName(invalid.input)):\(invalid.line)): each is "
          + "counted at the time of the record before it")
    }
    if analysis.incidentsClosedEarly > 0 {
      lines.append(
        ReportFormat.count(analysis.incidentsClosedEarly, "incident") + " closed before the gap "
          + "passed, as \(ReportFormat.count(BurstDetector.openLimit, "incident")) were open at "
          + "once: a later error of one of them starts another")
    }
    let disordered = analysis.outOfOrder
    if disordered.count > 0 {
      lines.append(
        ReportFormat.count(disordered.count, "record") + " out of time order, first at "
          + "\(analysis.inputName(disordered.input)):\(disordered.line)")
    }
    return lines
  }

  /// The name and value rows describing a burst, each given to `row`.
  func facts(of burst: LogBurst, _ row: (String, ReportText) -> Void) {
    var when: ReportText = "\(window: burst.first, burst.last)"
    if burst.last != burst.first { when += " (\(duration: burst.duration))" }
    row("When", when)
    let caused = burst.count - burst.primaryCount
    var errors: ReportText = "\(burst.count)"
    if caused > 0 {
      errors += " (\(burst.primaryCount) \(burst.errorClass.rawValue), \(caused) caused by them)"
    }
    row("Errors", errors)
    row("Workers", "\(workersOf: burst)")
    if !burst.hosts.isEmpty {
      row("Hosts", "\(list: burst.hosts.map { burst.endpoint(of: $0) })")
    }
    if !burst.statuses.isEmpty {
      var statuses = ReportText()
      statuses.write(burst.statuses.sorted { $0.key < $1.key }, separator: ", ") {
        $0 += "\($1.key) ×\($1.value)"
      }
      row("Statuses", statuses)
    }
    if !burst.files.isEmpty {
      row("Files", "\(list: burst.files, more: burst.filesOmitted)")
    }
    row("Sample", "\(cut: burst.sample, 160)")
    row("Where", "\(analysis.inputName(burst.input)):\(burst.line)")
  }

  private func writeIsolatedSection(into text: inout ReportText) {
    let total = analysis.isolated.count + analysis.isolatedOmitted
    guard total > 0 else { return }
    text +=
      "\nLone errors (\(total)): errors with no other of their class (an unclassified one: "
      + "of its message template) within \(duration: analysis.gap)\n"
    for error in analysis.isolated.prefix(IncidentReport.isolatedShown) {
      let time: ReportText = error.time.map { "\($0)" } ?? "unknown time"
      let worker: ReportText = error.worker.map { " worker \($0)" } ?? ""
      text += "  \(time)  \(error.errorClass.rawValue)\(worker)  \(cut: error.message, 100)\n"
    }
    let hidden = total - min(analysis.isolated.count, IncidentReport.isolatedShown)
    if hidden > 0 {
      // JSON keeps the first of them only, so that memory stays bounded.
      let listed: ReportText =
        analysis.isolatedOmitted > 0 ? "the first \(analysis.isolated.count)" : "them"
      text += "  … and \(hidden) more (--json lists \(listed))\n"
    }
  }

  private func writeWarningSection(into text: inout ReportText) {
    guard analysis.warnings > 0 else { return }
    text += "\nWarnings (\(analysis.warnings)), counted apart from errors\n"
    for group in analysis.warningGroups.prefix(IncidentReport.warningsShown) {
      text +=
        "  \(String(group.count), padded: 7)\(group.kind.rawValue, padded: 18)"
        + "\(cut: group.template, 90)\n"
    }
    let hidden =
      analysis.warningGroups.count - IncidentReport.warningsShown
      + analysis.warningGroupsOmitted
    if hidden > 0 {
      let listed: ReportText =
        analysis.warningGroupsOmitted > 0 ? "the first \(analysis.warningGroups.count)" : "them"
      text += "  … and \(hidden) more kinds (--json lists \(listed))\n"
    }
  }
}
