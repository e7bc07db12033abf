// The pieces the reports are made of: JSON escaping and number forms, durations and windows,
// the timeline's bars and coarser steps, and the lone-error and summary sections.

import Testing

@testable import ArrayToolKit

@Suite struct ReportRenderingTests {
  @Test func jsonEscapesOnlyWhatItMust() {
    #expect(JSONValue.quote("a \"b\" \\ c\nd\u{1}é") == #""a \"b\" \\ c\nd\u0001é""#)
    let document = JSONValue.object([
      ("n", .int(3)), ("d", .double(8.3630001)), ("w", .array([.int(16), .int(42)])),
      ("e", .array([])), ("x", .null),
    ])
    #expect(
      document.rendered()
        == "{\n  \"n\": 3,\n  \"d\": 8.363,\n  \"w\": [16, 42],\n  \"e\": [],\n  \"x\": null\n}")
  }

  @Test func durationsAndWindowsReadNaturally() {
    #expect(ReportFormat.duration(0) == "0 s")
    #expect(ReportFormat.duration(8.363) == "8.4 s")
    #expect(ReportFormat.duration(125) == "2 min 5 s")
    #expect(ReportFormat.duration(11_520) == "3 h 12 min")
    let first = LogTime.parseBound("2025-10-07 23:59:59.5")
    let last = LogTime.parseBound("2025-10-08 00:00:01")
    #expect(
      ReportFormat.window(first, last) == "2025-10-07 23:59:59.500 – 2025-10-08 00:00:01.000")
    #expect(
      ReportFormat.when(first, last)
        == "Between 2025-10-07 23:59:59.500 and 2025-10-08 00:00:01.000 (1.5 s)")
    #expect(ReportFormat.shellWord("a b'c") == #"'a b'\''c'"#)
    #expect(ReportFormat.shellWord("/data/x_1.tgz") == "/data/x_1.tgz")
  }

  @Test func paddingAndCuttingCountCharactersNotBytes() {
    #expect(ReportFormat.pad("Hosts", 9) == "Hosts    ")
    #expect(ReportFormat.pad("Hôtes", 9) == "Hôtes    ")
    #expect(ReportFormat.pad("Hosts", 5) == "Hosts")
    #expect(ReportFormat.pad("Hosts and files", 5) == "Hosts")
    // A carriage return and line feed are one character.
    #expect(ReportFormat.pad("a\r\nb", 4) == "a\r\nb ")
    let ascii = String(repeating: "x", count: 200)
    #expect(ReportFormat.cut(ascii, 160) == String(repeating: "x", count: 159) + "…")
    #expect(ReportFormat.cut(String(ascii.prefix(160)), 160) == String(ascii.prefix(160)))
    let accented = String(repeating: "é", count: 200)
    #expect(ReportFormat.cut(accented, 10) == String(repeating: "é", count: 9) + "…")
    #expect(ReportFormat.cut("ab\r\ncd", 5) == "ab\r\ncd")
    #expect(ReportFormat.cut("ab\r\ncde", 5) == "ab\r\nc…")
    #expect(ReportFormat.characterCount("e\u{301}x") == 2)
  }

  @Test func sentencesOpenWithACapitalWhateverTheirFirstLetter() {
    let first = LogTestSupport.time("2025-10-07 01:22:09.120")
    let last = LogTestSupport.time("2025-10-07 01:22:17.483")
    #expect(ReportFormat.when(first, last) == "On 2025-10-07 between 01:22:09.120 and 01:22:17.483 (8.4 s)")
    #expect(ReportFormat.when(first, first) == "At 2025-10-07 01:22:09.120")
    #expect(ReportFormat.when(nil, nil) == "At an unknown time")
    let otherDay = LogTestSupport.time("2025-10-08 00:00:01")
    #expect(ReportFormat.between(last, otherDay) == "between 2025-10-07 01:22:17.483 and 2025-10-08 00:00:01.000")
    let lastSecond = LogTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)
    #expect(lastSecond?.isoSeconds == "9999-12-31T23:59:59")
    #expect(lastSecond?.adding(seconds: 1).isoSeconds == "10000-01-01T00:00:00")
  }

  @Test func theTimelineUsesCoarserStepsForLongLogs() {
    var perMinute: [Int64: Int] = [:]
    let start = LogAnalyzer.minute(of: LogTime.parseBound("2025-10-07 00:00")!)
    for hour in 0..<48 { perMinute[start + Int64(hour * 60)] = hour + 1 }
    let lines = ErrorTimeline.render(perMinute).split(separator: "\n").map(String.init)
    #expect(lines.first == "Errors per 180 minutes:")
    #expect(lines.count == 17)
    #expect(lines[1] == "  2025-10-07 00:00  █ 6")
    #expect(lines.last == "  2025-10-08 21:00  " + String(repeating: "█", count: 40) + " 141")
  }

  @Test func controlCharactersOfALogAreShownNotSentToTheTerminal() throws {
    let error = "[Worker 3] boom \u{7}bell \u{8}back \rcr \u{7F}del \u{9B}31m end"
    let analysis = try LogTestSupport.analyze(
      """
      2025-10-07 01:00:00,000 - ERROR - \(error)
      2025-10-07 01:00:01,000 - ERROR - \(error)
      {"time": "2025-10-07T02:00:00", "level": "error", "message": "json \\u001b[31mred\\u0007"}

      """)
    #expect(analysis.bursts.map(\.sample) == [error])
    #expect(analysis.isolated.map(\.message) == ["json \u{1B}[31mred\u{7}"])
    let shown = #"[Worker 3] boom \u{7}bell \u{8}back \u{D}cr \u{7F}del \u{9B}31m end"#
    let report = IncidentReport(analysis: analysis)
    let text = report.text(timeline: true)
    #expect(text.contains("\n  Sample   \(shown)\n"))
    #expect(text.contains(#"  other  json \u{1B}[31mred\u{7}"# + "\n"))
    let markdown = report.markdown()
    #expect(markdown.contains("| Sample | `\(shown)` |\n"))
    for output in [text, markdown] {
      let controls = output.unicodeScalars.filter { $0.properties.generalCategory == .control }
      #expect(controls.allSatisfy { $0 == "\n" })
    }
    // JSON keeps the message as the log wrote it, in JSON's own escapes.
    let json = analysis.json.rendered()
    #expect(
      json.contains(
        #""sample": "[Worker 3] boom \u0007bell \u0008back \rcr \#u{7F}del \#u{9B}31m end""#))
    #expect(json.contains(#""message": "json \u001b[31mred\u0007""#))
    #expect(ReportFormat.cut("a\u{7}b", 10) == #"a\u{7}b"#)
    #expect(ReportFormat.shellWord("a'\u{7}") == #"'a'\''\u{7}'"#)
  }

  @Test func marksThatReorderTextAreShownNotApplied() throws {
    // U+202E would make the rest of the line read backwards; an en dash, of the same lead byte,
    // is written as it is.
    let error = "[Worker 3] file \u{202E}gpj.exe\u{202C} \u{200F}x\u{2066}y\u{2069} 1–2"
    let analysis = try LogTestSupport.analyze(
      """
      2025-10-07 01:00:00,000 - ERROR - \(error)
      2025-10-07 01:00:01,000 - ERROR - \(error)

      """)
    let text = IncidentReport(analysis: analysis).text(timeline: false)
    #expect(
      text.contains(
        "\n" + #"  Sample   [Worker 3] file \u{202E}gpj.exe\u{202C} \u{200F}x\u{2066}y\u{2069} 1–2"#
          + "\n"))
    #expect(!text.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) })
  }

  @Test func aTimelineFullOfMinutesSaysWhatItLeftOut() throws {
    // One error a minute, then three more minutes than the timeline holds: the 200,001st and
    // later minutes are left out, and the last of them has two errors.
    let analyzer = LogAnalyzer(options: LogAnalysisOptions())
    let record = LogRecord()
    let start = try #require(LogTestSupport.time("2025-01-01 00:00"))
    let minutes = LogAnalyzer.minuteLimit + 3
    for minute in 0..<minutes {
      for _ in 0..<(minute == minutes - 1 ? 2 : 1) {
        record.reset(
          time: start.adding(seconds: Double(minute * 60)), level: .error, input: 0,
          line: minute + 1)
        record.textBuffer.append(Array("connection refused by vmagent:8429".utf8))
        analyzer.add(record)
      }
    }
    var analysis = analyzer.finish()
    analysis.inputs = ["log0"]
    #expect(analysis.errors == minutes + 1)
    #expect(analysis.errorsPerMinute.count == LogAnalyzer.minuteLimit)
    #expect(analysis.errorsPerMinute.values.reduce(0, +) == LogAnalyzer.minuteLimit)
    #expect(analysis.timelineLeftOut == 4)
    #expect(analysis.timelineCut?.text == "2025-05-19 21:20:00.000")
    let text = IncidentReport(analysis: analysis).text(timeline: true)
    #expect(
      text.contains(
        "\n  4 errors not drawn: the timeline holds 200000 minutes, and those read after it was "
          + "full (the first at 2025-05-19 21:20:00.000) are left out\n"))
    #expect(!IncidentReport(analysis: analysis).text(timeline: false).contains("not drawn"))
    #expect(
      analysis.json.rendered().contains(
        "\"timeline_left_out\": {\n    \"errors\": 4,\n"
          + "    \"from\": \"2025-05-19 21:20:00.000\"\n  }"))
  }

  @Test func loneErrorsAndWarningsHaveTheirSections() throws {
    let analysis = try LogTestSupport.analyze(
      IncidentLog.render(IncidentLog.night, style: .python))
    let text = IncidentReport(analysis: analysis).text(timeline: false)
    #expect(
      text.contains(
        "\nLone errors (1): errors with no other of their class (an unclassified one: of its "
          + "message template) within 30 s\n"
          + "  2025-11-03 05:00:00.000  timeout worker 5  [Worker 5] HTTPConnectionPool("))
    #expect(text.contains("\nWarnings (4), counted apart from errors\n  3      unknown_metric    "))
    #expect(text.contains("  3  medium    corrupt_archive     2025-11-03 04:30:10.250"))
  }

  /// Batches that failed with no file named: the advice says which files to import again, with
  /// or without the workers that held them.
  @Test(arguments: [true, false])
  func failedBatchesWithoutFilesSayWhichToImportAgain(workers: Bool) throws {
    let tag = workers ? "[Worker 3] " : ""
    let log = (0..<6).map {
      "2025-10-07 01:00:0\($0),000 - ERROR - \(tag)Failed to send batch to "
        + "http://vmagent:8429/api/v1/import: 503 Service Unavailable\n"
    }.joined()
    let analysis = try LogTestSupport.analyze(log)
    let burst = try #require(analysis.bursts.first)
    #expect(burst.batchesFailed == 6 && burst.files.isEmpty)
    let files = workers ? "the files worker 3 was processing" : "the files being processed"
    #expect(IncidentAdvice(burst: burst, input: "api.log").impact
      == "6 batches were not delivered to vmagent:8429 on 2025-10-07 between 01:00:00.000 and "
      + "01:00:05.000: those samples are missing from VictoriaMetrics. The log does not name the "
      + "files of these batches: import again \(files) at that time.")
  }
}

