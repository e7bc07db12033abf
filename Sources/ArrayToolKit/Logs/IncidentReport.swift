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
    func style(_ text: String, _ severity: Severity) -> String {
      guard let console else { return text }
      switch severity {
      case .critical: return console.styled(text, .red)
      case .medium: return console.styled(text, .yellow)
      case .low: return text
      }
    }
    var text = "Log analysis of \(ReportFormat.list(analysis.inputNames, limit: 3))\n"
    text += "  \(overview.joined(separator: "\n  "))\n"
    if timeline, !analysis.errorsPerMinute.isEmpty {
      text += "\n" + ErrorTimeline.render(analysis.errorsPerMinute)
    }
    // Incidents are written side by side on all cores and joined in order.
    let bursts = analysis.bursts
    for section in OrderedParallelMap.map(bursts.count, { incidentText($0, bursts[$0], style) }) {
      text += section
    }
    text += isolatedSection()
    text += warningSection()
    if !analysis.bursts.isEmpty {
      text += "\nSummary\n" + summaryTable().map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
    return text
  }

  /// The text of incident `index`, from the blank line before its title to its next checks.
  private func incidentText(
    _ index: Int, _ burst: LogBurst, _ style: (String, Severity) -> String
  ) -> String {
    let advice = IncidentAdvice(burst: burst, input: analysis.inputName(burst.input))
    let label = "Incident \(index + 1) · \(burst.severity.rawValue.uppercased())"
    var text =
      "\n" + style(label, burst.severity) + " · \(burst.errorClass.rawValue): "
      + advice.headline + "\n"
    for (name, value) in facts(of: burst) {
      text += "  " + ReportFormat.pad(name, 9) + value + "\n"
    }
    text += "  What happened\n" + ReportFormat.wrap(advice.happened, indent: "    ") + "\n"
    text += "  Probable causes\n"
    for cause in advice.causes {
      text += ReportFormat.wrap("- " + cause, indent: "    ", hanging: "      ") + "\n"
    }
    text += "  Impact\n" + ReportFormat.wrap(advice.impact, indent: "    ") + "\n"
    text += "  Next checks\n"
    for check in advice.checks { text += "    $ \(check)\n" }
    return text
  }

  /// The lines under the title: records and window, then errors and incidents.
  var overview: [String] {
    var lines = [
      ReportFormat.count(analysis.records, "record") + ", "
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
      let count = analysis.bursts.filter { $0.severity == severity }.count
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

  /// What the overview says about inputs that were not read whole and records whose times
  /// could not be taken as written.
  private var notes: [String] {
    var lines = analysis.inputErrors.map { "input error: \($0)" }
    if analysis.untimedRecords > 0 {
      lines.append("\(analysis.untimedRecords) records carry no time: their order is the file's")
    }
    let invalid = analysis.invalidTimes
    if invalid.count > 0 {
      lines.append(
        "\(invalid.count) \(invalid.count == 1 ? "record has" : "records have") an invalid "
          + "timestamp (first at \(analysis.inputName(invalid.input)):\(invalid.line)): each is "
          + "counted at the time of the record before it")
    }
    let disordered = analysis.outOfOrder
    if disordered.count > 0 {
      lines.append(
        ReportFormat.count(disordered.count, "record") + " out of time order, first at "
          + "\(analysis.inputName(disordered.input)):\(disordered.line)")
    }
    return lines
  }

  /// Name and value rows describing a burst.
  func facts(of burst: LogBurst) -> [(String, String)] {
    var when = ReportFormat.window(burst.first, burst.last)
    if burst.last != burst.first { when += " (\(ReportFormat.duration(burst.duration)))" }
    var rows = [("When", when)]
    let caused = burst.count - burst.primaryCount
    var errors = "\(burst.count)"
    if caused > 0 {
      errors += " (\(burst.primaryCount) \(burst.errorClass.rawValue), \(caused) caused by them)"
    }
    rows.append(("Errors", errors))
    rows.append(("Workers", ReportFormat.workers(burst)))
    if !burst.hosts.isEmpty {
      rows.append(("Hosts", ReportFormat.list(burst.hosts.map { burst.endpoint(of: $0) })))
    }
    if !burst.statuses.isEmpty {
      let statuses = burst.statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
      rows.append(("Statuses", statuses.joined(separator: ", ")))
    }
    if !burst.files.isEmpty {
      rows.append(("Files", ReportFormat.list(burst.files, more: burst.filesOmitted)))
    }
    rows.append(("Sample", ReportFormat.cut(burst.sample, 160)))
    rows.append(("Where", "\(analysis.inputName(burst.input)):\(burst.line)"))
    return rows
  }

  private func isolatedSection() -> String {
    let total = analysis.isolated.count + analysis.isolatedOmitted
    guard total > 0 else { return "" }
    var text =
      "\nLone errors (\(total)): errors with no other of their class (an unclassified one: "
      + "of its message template) within \(ReportFormat.duration(analysis.gap))\n"
    for error in analysis.isolated.prefix(IncidentReport.isolatedShown) {
      let time = error.time?.text ?? "unknown time"
      let worker = error.worker.map { " worker \($0)" } ?? ""
      text +=
        "  \(time)  \(error.errorClass.rawValue)\(worker)  "
        + ReportFormat.cut(error.message, 100) + "\n"
    }
    let hidden = total - min(analysis.isolated.count, IncidentReport.isolatedShown)
    if hidden > 0 {
      // JSON keeps the first of them only, so that memory stays bounded.
      let listed = analysis.isolatedOmitted > 0 ? "the first \(analysis.isolated.count)" : "them"
      text += "  … and \(hidden) more (--json lists \(listed))\n"
    }
    return text
  }

  private func warningSection() -> String {
    guard analysis.warnings > 0 else { return "" }
    var text = "\nWarnings (\(analysis.warnings)), counted apart from errors\n"
    for group in analysis.warningGroups.prefix(IncidentReport.warningsShown) {
      text +=
        "  " + ReportFormat.pad(String(group.count), 7)
        + ReportFormat.pad(group.kind.rawValue, 18)
        + ReportFormat.cut(group.template, 90) + "\n"
    }
    let hidden =
      analysis.warningGroups.count - IncidentReport.warningsShown
      + analysis.warningGroupsOmitted
    if hidden > 0 {
      let listed =
        analysis.warningGroupsOmitted > 0 ? "the first \(analysis.warningGroups.count)" : "them"
      text += "  … and \(hidden) more kinds (--json lists \(listed))\n"
    }
    return text
  }

  /// The summary table as aligned rows, header first.
  func summaryTable() -> [String] {
    let header = [
      "#", "Severity", "Class", "First", "Last", "Duration", "Errors", "Workers", "Hosts / files",
    ]
    let rows = summaryRows()
    let widths = header.indices.map { column in
      ([header] + rows).map { ReportFormat.characterCount($0[column]) }.max() ?? 0
    }
    return ([header] + rows).map { row in
      ReportFormat.trimmed(
        zip(row, widths).map { ReportFormat.pad($0, $1) }.joined(separator: "  "))
    }
  }

  /// One row of cells per incident.
  func summaryRows() -> [[String]] {
    let bursts = analysis.bursts
    return OrderedParallelMap.map(bursts.count) { index in
      let burst = bursts[index]
      var workers = "–"
      if let range = burst.workerRange {
        workers = "\(range.lowerBound)"
        if range.count > 1 { workers += "–\(range.upperBound) (\(burst.workerCount))" }
      }
      var last = burst.last?.text ?? "–"
      if let first = burst.first, let end = burst.last, first.isSameDay(as: end) {
        last = end.clockText
      }
      let places = ReportFormat.list(
        burst.hosts.map { burst.endpoint(of: $0) } + burst.files, limit: 2)
      return [
        "\(index + 1)", burst.severity.rawValue, burst.errorClass.rawValue,
        burst.first?.text ?? "unknown", last, ReportFormat.duration(burst.duration),
        "\(burst.count)", workers, places.isEmpty ? "–" : places,
      ]
    }
  }
}
