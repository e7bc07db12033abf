// The report as Markdown, for pasting into a ticket: the same content as the text report, with
// headings per incident, the next checks in a shell block and the summary as a table.

extension IncidentReport {
  /// The report in Markdown.
  public func markdown() -> String {
    let names = analysis.openedInputNames.map { "`\($0)`" }
    var text = "# Log analysis of \(ReportFormat.list(names, limit: 3))\(unopenedNote)\n\n"
    text += overview.map { "- \($0)" }.joined(separator: "\n") + "\n"
    // Incidents are written side by side on all cores and joined in order.
    let bursts = analysis.bursts
    for section in OrderedParallelMap.map(bursts.count, { markdownIncident($0, bursts[$0]) }) {
      text += section
    }
    if !analysis.isolated.isEmpty {
      text += "\n## Lone errors\n\n| Time | Class | Worker | Message |\n|---|---|---|---|\n"
      for error in analysis.isolated.prefix(IncidentReport.isolatedShown) {
        text +=
          "| \(error.time?.text ?? "unknown") | `\(error.errorClass.rawValue)` | "
          + "\(error.worker.map(String.init) ?? "") | "
          + "\(escape(ReportFormat.cut(error.message, 100))) |\n"
      }
    }
    if !analysis.warningGroups.isEmpty {
      text += "\n## Warnings (\(analysis.warnings))\n\n| Count | Kind | Template |\n|---|---|---|\n"
      for group in analysis.warningGroups.prefix(IncidentReport.warningsShown) {
        text +=
          "| \(group.count) | `\(group.kind.rawValue)` | "
          + "\(escape(ReportFormat.cut(group.template, 90))) |\n"
      }
    }
    if !analysis.bursts.isEmpty {
      text += "\n## Summary\n\n"
      text +=
        "| # | Severity | Class | First | Last | Duration | Errors | Workers | Hosts / files |\n"
      text += "|---|---|---|---|---|---|---|---|---|\n"
      for row in summaryRows() {
        text += "| " + row.map(escape).joined(separator: " | ") + " |\n"
      }
    }
    return text
  }

  /// Incident `index` in Markdown, from the blank line before its heading to its checks.
  private func markdownIncident(_ index: Int, _ burst: LogBurst) -> String {
    let advice = IncidentAdvice(burst: burst, input: analysis.inputName(burst.input))
    var text =
      "\n## \(index + 1). \(burst.severity.rawValue.uppercased()): \(escape(advice.headline))\n\n"
    text += "| | |\n|---|---|\n| Class | `\(burst.errorClass.rawValue)` |\n"
    facts(of: burst) { name, fact in
      let value = fact.string
      let cell =
        name == "Sample" ? "`\(value.replacingOccurrences(of: "`", with: "'"))`" : escape(value)
      text += "| \(name) | \(cell) |\n"
    }
    text += "\n**What happened.** \(escape(advice.happened))\n\n**Probable causes**\n\n"
    text += advice.causes.map { "- \(escape($0))" }.joined(separator: "\n") + "\n"
    text += "\n**Impact.** \(escape(advice.impact))\n\n**Next checks**\n\n```sh\n"
    text += advice.checks.joined(separator: "\n") + "\n```\n"
    return text
  }

  /// Escapes the characters Markdown would read as table cells or emphasis.
  private func escape(_ text: String) -> String {
    // ASCII text, the common case, is escaped byte by byte: there every byte is a character of
    // its own (a CR LF pair is one character, but neither of its bytes is escaped). Text with
    // other characters goes character by character, where a combining mark joins the byte
    // before it into one character that is not escaped.
    var source = text
    let ascii = source.withUTF8 { bytes -> String? in
      var result: [UInt8] = []
      result.reserveCapacity(bytes.count + 16)
      for byte in bytes {
        if byte >= 0x80 { return nil }
        if Self.escapedBytes.contains(byte) { result.append(0x5C) }
        result.append(byte)
      }
      return String(decoding: result, as: UTF8.self)
    }
    if let ascii { return ascii }
    var result = ""
    for character in text {
      if "|*_`[]<>".contains(character) { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// `|*_`[]<>`, the characters `escape` puts a backslash before.
  private static let escapedBytes = ByteSet("|*_`[]<>")
}
