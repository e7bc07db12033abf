// `arraytool analyze-logs` run as a user runs it: exit codes, the JSON on the sample log, the
// report, standard input, gzip inputs and usage errors.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct AnalyzeLogsCommandTests {
  private var fixture: String { LogTestSupport.fixture("api.log").path }

  /// A temporary folder removed when the test ends.
  private func withFolder(_ body: (URL) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("analyze-logs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(folder)
  }

  @Test func theSampleLogExitsOneWithExactlyTheExpectedBursts() throws {
    let result = try BinaryRunner.run(["analyze-logs", "--json", fixture])
    #expect(result.status == 1)
    #expect(result.stderr == "")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["records"] as? Int == 520)
    #expect(json["errors"] as? Int == 213)
    #expect((json["isolated"] as? [Any])?.count == 0)
    let bursts = try #require(json["bursts"] as? [[String: Any]])
    let wanted = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: LogTestSupport.fixture("api.expected.json"))) as? [[String: Any]])
    #expect(bursts.count == wanted.count)
    for (found, expected) in zip(bursts, wanted) {
      for (key, value) in expected {
        #expect((found[key] as? NSObject) == (value as? NSObject), "\(key)")
      }
    }
    #expect(bursts.map { $0["severity"] as? String } == ["critical", "medium"])
    #expect(bursts.map { $0["hosts"] as? [String] } == [["vmagent"], []])
  }

  /// `| head` takes what it wants and goes; the verdict is the analysis', not the pipe's.
  @Test func aReaderThatLeavesEarlyDoesNotTurnErrorsIntoSuccess() throws {
    let scratch = try ScratchDirectory()
    // Lone errors two minutes apart: a report and JSON far larger than a pipe's buffer.
    let lines = (0..<3000).map { index in
      let minutes = index * 2
      return String(
        format: "2025-10-07 %02d:%02d:00,000 - ERROR - upstream %d refused the request",
        minutes / 60 % 24, minutes % 60, index)
    }
    let log = try scratch.write("spread.log", Array((lines.joined(separator: "\n") + "\n").utf8))
    for format in [["--json"], []] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/bash")
      let words = (["analyze-logs"] + format + [log]).map { "'\($0)'" }.joined(separator: " ")
      process.arguments = [
        "-c", "'\(BinaryRunner.executable.path)' \(words) | head -c 1 >/dev/null; "
          + "echo \"status=${PIPESTATUS[0]}\"",
      ]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(text == "status=1\n", "\(format)")
    }
  }

  @Test func oneLogUnderTwoNamesIsRefused() throws {
    let scratch = try ScratchDirectory()
    let link = scratch.path + "/api-link.log"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture)
    let result = try BinaryRunner.run(["analyze-logs", "--json", fixture, link])
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(
      result.stderr == "arraytool: error: \(fixture) and \(link) are the same file: give it once, "
        + "or its records would be counted twice\narraytool: hint: see 'arraytool analyze-logs "
        + "--help'\n")
  }

  @Test func aCleanLogExitsZero() throws {
    let log = """
      2025-10-07 01:00:00,000 - INFO - STREAMING PIPELINE STARTED
      2025-10-07 01:00:01,000 - WARNING - Unknown metric id 12 in a.tgz
      2025-10-07 01:00:02,000 - INFO - done

      """
    let result = try BinaryRunner.run(["analyze-logs", "-"], stdin: Data(log.utf8))
    #expect(result.status == 0)
    #expect(
      result.stdout == """
        Log analysis of (standard input)
          3 records, 2025-10-07 01:00:00.000 – 01:00:02.000
          no errors, 1 warning

        Warnings (1), counted apart from errors
          1      unknown_metric    Unknown metric id <n> in <file>

        """)
  }

  @Test func theReportNamesTheIncidentsAndTheChecks() throws {
    let result = try BinaryRunner.run(["analyze-logs", fixture])
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.contains(
        "Incident 1 · CRITICAL · dns_temporary: DNS lookups of vmagent failed temporarily"))
    #expect(lines.contains("    $ arraytool probe vmagent --url http://vmagent:8429"))
    #expect(
      lines.contains(
        "    $ arraytool verify PerfData_OceanStorDorado5000V6_SN_2102350TST10KA000042_SP1_0_20251007002400.tgz"
      ))
    #expect(
      lines.contains {
        $0.hasPrefix(
          "  1  critical  dns_temporary    2025-10-07 01:22:09.120  01:22:17.483  8.4 s     212"
            + "     16–42 (26)"
        )
      })
    #expect(!result.stdout.contains("Errors per minute"))
  }

  @Test func theTimelineShowsErrorsPerMinute() throws {
    let result = try BinaryRunner.run(["analyze-logs", "--timeline", fixture])
    #expect(
      result.stdout.contains(
        "Errors per minute:\n  2025-10-07 01:22  " + String(repeating: "█", count: 40)
          + " 212\n  …\n  2025-10-07 02:24  █ 1\n"))
  }

  @Test func markdownIsForATicket() throws {
    let result = try BinaryRunner.run(["analyze-logs", "--markdown", fixture])
    #expect(result.status == 1)
    #expect(result.stdout.hasPrefix("# Log analysis of `\(fixture)`\n"))
    #expect(result.stdout.contains("\n## 1. CRITICAL: DNS lookups of vmagent failed temporarily\n"))
    #expect(result.stdout.contains("\n```sh\narraytool probe vmagent --url http://vmagent:8429\n"))
    #expect(result.stdout.contains("| 2 | medium | corrupt\\_archive | 2025-10-07 02:24:11.377 |"))
  }

  @Test func gzipAndPlainInputsMergeByTime() throws {
    try withFolder { folder in
      let log = IncidentLog.render(IncidentLog.night, style: .python)
      let lines = log.split(separator: "\n")
      let half = lines.count / 2
      let older = folder.appendingPathComponent("importer.log.1.gz")
      let newer = folder.appendingPathComponent("importer.log")
      try Data(Gzip.compress(Array((lines[..<half].joined(separator: "\n") + "\n").utf8))).write(
        to: older)
      try Data((lines[half...].joined(separator: "\n") + "\n").utf8).write(to: newer)
      let result = try BinaryRunner.run(["analyze-logs", "--json", newer.path, older.path])
      #expect(result.status == 1)
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      let bursts = try #require(json["bursts"] as? [[String: Any]])
      #expect(
        bursts.map { $0["class"] as? String } == [
          "dns_temporary", "connection_refused", "corrupt_archive",
        ])
      #expect(bursts.map { $0["count"] as? Int } == [80, 5, 1])
    }
  }

  @Test func aWindowThatHoldsNoRecordIsSaidAndIsNoUsageError() throws {
    let result = try BinaryRunner.run(["analyze-logs", "--since", "2025-10-07 03:00", fixture])
    #expect(result.status == 0)
    #expect(
      result.stdout.split(separator: "\n").prefix(4) == [
        "Log analysis of \(fixture)", "  no record in the window (520 records outside it)",
        "  window: 2025-10-07 03:00:00.000 to the end", "  no errors, 0 warnings",
      ])
    #expect(
      result.stderr
        == "arraytool: warning: no record lies between --since and --until: all 520 timed "
        + "records of the log are outside that window\n")
  }

  @Test func aPipeGivenByNameIsReadAsStandardInputIs() throws {
    // What `<(zcat api.log.1.gz)` hands over: a FIFO, read to its end like `-`.
    let scratch = try ScratchDirectory()
    let fifo = scratch.path + "/api.fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    let running = try BinaryRunner.start(["analyze-logs", "--json", fifo])
    let writer = FileHandle(forWritingAtPath: fifo)
    try writer?.write(contentsOf: Data(contentsOf: LogTestSupport.fixture("api.log")))
    try writer?.close()
    let piped = running.wait()
    let direct = try BinaryRunner.run(["analyze-logs", "--json", fixture])
    #expect(piped.status == 1)
    #expect(
      piped.stdout.replacingOccurrences(of: fifo, with: fixture) == direct.stdout)
    // A device is no log: /dev/zero would never end.
    let device = try BinaryRunner.run(["analyze-logs", "/dev/zero"])
    #expect(device.status == 2)
  }

  @Test func usageErrorsExitTwo() throws {
    let noInput = try BinaryRunner.run(["analyze-logs"])
    #expect(noInput.status == 2)
    #expect(
      noInput.stderr
        == "arraytool: error: missing argument LOG\n"
        + "arraytool: hint: see 'arraytool analyze-logs --help'\n"
    )
    let gap = try BinaryRunner.run(["analyze-logs", "--gap", "soon", fixture])
    #expect(gap.status == 2)
    #expect(gap.stderr.hasPrefix("arraytool: error: invalid --gap 'soon': expected seconds"))
    let since = try BinaryRunner.run(["analyze-logs", "--since", "yesterday", fixture])
    #expect(since.status == 2)
    let zoned = try BinaryRunner.run(
      ["analyze-logs", "--since", "2025-10-07 01:23:00+02:00", fixture])
    #expect(zoned.status == 2)
    #expect(zoned.stdout == "")
    #expect(
      zoned.stderr.hasPrefix(
        "arraytool: error: invalid --since '2025-10-07 01:23:00+02:00': give the time as the "
          + "log writes it, without a time zone (the log's times are read without zone "
          + "conversion)\n"))
    let both = try BinaryRunner.run(["analyze-logs", "--json", "--markdown", fixture])
    #expect(both.stderr.hasPrefix("arraytool: error: --json and --markdown cannot be combined\n"))
    #expect(both.status == 2)
    let stdinTwice = try BinaryRunner.run(["analyze-logs", "-", fixture, "-"], stdin: Data("x\n".utf8))
    #expect(stdinTwice.status == 2)
    #expect(stdinTwice.stdout == "")
    #expect(
      stdinTwice.stderr.hasPrefix(
        "arraytool: error: - (standard input) can be given only once\n"))
  }

  @Test func aLogWhoseEveryTimestampIsInvalidExitsOneWithItsErrors() throws {
    let log = """
      2025-02-30 01:15:00,000 - ERROR - [Worker 1] connection refused by vmagent:8429
      2025-10-07 25:15:00,000 - INFO - done

      """
    let result = try BinaryRunner.run(["analyze-logs", "-"], stdin: Data(log.utf8))
    #expect(result.status == 1)
    #expect(result.stderr == "")
    #expect(
      result.stdout.hasPrefix(
        """
        Log analysis of (standard input)
          2 records, at an unknown time
          1 error, 0 warnings: no incident, 1 lone error
          2 records carry no time: their order is the file's
          2 records have an invalid timestamp (first at (standard input):1): each is counted at \
        the time of the record before it

        """))
  }

  @Test func anUnreadableInputIsReportedAndTheOthersAreAnalysed() throws {
    let result = try BinaryRunner.run(["analyze-logs", "--json", "/nonexistent/api.log", fixture])
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "arraytool: error: cannot open /nonexistent/api.log: no such file or directory\n")
    #expect(result.stdout.contains("\"errors\": 213"))
    #expect(
      result.stdout.contains(
        "\"input_errors\": [\"cannot open /nonexistent/api.log: no such file or directory\"],"))
    #expect(result.stdout.contains("\n  \"unopened_inputs\": [\"/nonexistent/api.log\"],\n"))
    let text = try BinaryRunner.run(["analyze-logs", "/nonexistent/api.log", fixture])
    #expect(text.status == 2)
    // The heading names only the log read, and counts the one that was not.
    #expect(
      text.stdout.hasPrefix(
        "Log analysis of \(fixture) (1 other input could not be opened)\n"
          + "  520 records, 2025-10-07 01:15:00.000 – 02:24:37.547\n"
          + "  213 errors, 1 warning: 2 incidents (1 critical, 1 medium), no lone errors\n"
          + "  input error: cannot open /nonexistent/api.log: no such file or directory\n\n"))
    let markdown = try BinaryRunner.run(
      ["analyze-logs", "--markdown", "/nonexistent/a.log", fixture, "/nonexistent/b.log"])
    #expect(markdown.status == 2)
    #expect(
      markdown.stdout.hasPrefix(
        "# Log analysis of `\(fixture)` (2 other inputs could not be opened)\n\n"))
  }

  /// 100 logs to merge under a soft limit of 64 open files: the limit is raised toward the hard
  /// one, and every log is read.
  @Test func theLimitOnOpenFilesIsRaisedForManyLogs() throws {
    var limits = rlimit()
    #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0)
    try #require(limits.rlim_max >= 256, "the hard limit leaves no room to raise the soft one")
    let scratch = try ScratchDirectory()
    let logs = try manyLogs(100, in: scratch)
    let result = try BinaryRunner.run(
      ["analyze-logs", "--json"] + logs, launcher: underLimit("ulimit -S -n 64"))
    #expect(result.status == 1)
    #expect(result.stderr == "")
    #expect(
      result.stdout.contains(
        "\n  \"input_errors\": [],\n  \"unopened_inputs\": [],\n  \"records\": 100,\n"))
  }

  /// When the hard limit is too low as well, nothing is read: a report of the first 50 logs
  /// would pass for one of all 100.
  @Test func moreLogsThanTheHardLimitAllowsAreRefusedUpFront() throws {
    let scratch = try ScratchDirectory()
    let logs = try manyLogs(100, in: scratch)
    for format in [[], ["--json"]] {
      let result = try BinaryRunner.run(
        ["analyze-logs"] + format + logs, launcher: underLimit("ulimit -n 64"))
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(
        result.stderr
          == "arraytool: error: 100 logs cannot all be open at once, as merging them by time "
          + "needs: the limit on open files is 64, and the hard limit (ulimit -Hn) allows no "
          + "more; raise it, as with ulimit -n 1024 (past the hard limit only root can), or give "
          + "fewer logs\n"
          + "arraytool: hint: see 'arraytool analyze-logs --help'\n")
    }
  }

  /// `count` logs of one error each, one second apart, in `scratch`.
  private func manyLogs(_ count: Int, in scratch: ScratchDirectory) throws -> [String] {
    try (0..<count).map { index in
      let line = String(
        format: "2025-10-07 01:%02d:%02d,000 - ERROR - upstream %d refused the request\n",
        index / 60, index % 60, index)
      return try scratch.write(String(format: "l%03d.log", index), Array(line.utf8))
    }
  }

  /// A launcher that runs the binary in bash after `limit` (a `ulimit` command).
  private func underLimit(_ limit: String) -> [String] {
    ["/bin/bash", "-c", limit + " && exec \"$0\" \"$@\""]
  }

  @Test func noReportIsPrintedWhenNoInputCanBeOpened() throws {
    for format in [[], ["--markdown"]] {
      let result = try BinaryRunner.run(
        ["analyze-logs"] + format + ["/nonexistent/a.log", "/nonexistent/b.log"])
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(
        result.stderr
          == "arraytool: error: cannot open /nonexistent/a.log: no such file or directory\n"
          + "arraytool: error: cannot open /nonexistent/b.log: no such file or directory\n")
    }
    let json = try BinaryRunner.run(["analyze-logs", "--json", "/nonexistent/a.log"])
    #expect(json.status == 2)
    #expect(json.stdout.hasPrefix(
      "{\n  \"inputs\": [\"/nonexistent/a.log\"],\n"
        + "  \"input_errors\": [\"cannot open /nonexistent/a.log: no such file or directory\"],\n"
        + "  \"unopened_inputs\": [\"/nonexistent/a.log\"],\n"
        + "  \"records\": 0,\n"))
  }

  @Test func sinceAndUntilNarrowTheWindow() throws {
    let result = try BinaryRunner.run([
      "analyze-logs", "--json", "--since", "2025-10-07 02:00", "--until", "2025-10-07T03:00",
      fixture,
    ])
    #expect(result.status == 1)
    #expect(result.stdout.contains("\"errors\": 1,"))
    #expect(result.stdout.contains("\"since\": \"2025-10-07 02:00:00.000\""))
    #expect(result.stdout.contains("\"until\": \"2025-10-07 03:00:59.999\""))
    #expect(!result.stdout.contains("dns_temporary"))
  }

  @Test func oneDayAsBothBoundsKeepsThatDay() throws {
    // The whole log is of 2025-10-07: --until of that date reaches the end of the day.
    let result = try BinaryRunner.run([
      "analyze-logs", "--json", "--since", "2025-10-07", "--until", "2025-10-07", fixture,
    ])
    #expect(result.status == 1)
    #expect(result.stdout.contains("\"records\": 520,"))
    #expect(result.stdout.contains("\"until\": \"2025-10-07 23:59:59.999\""))
    #expect(result.stderr == "")
    let before = try BinaryRunner.run([
      "analyze-logs", "--json", "--since", "2025-10-06", "--until", "2025-10-06", fixture,
    ])
    #expect(before.status == 0)
    #expect(before.stdout.contains("\"records\": 0,"))
  }

  @Test func theNoteOnCutLinesNamesTheLimitManyInputsShare() throws {
    #expect(LogAnalyzer.bufferSize(inputs: 1) == 1 << 20)
    #expect(LogAnalyzer.bufferSize(inputs: 64) == 1 << 20)
    #expect(LogAnalyzer.bufferSize(inputs: 100) == 655 << 10)
    #expect(LogAnalyzer.bufferSize(inputs: 4000) == 16 << 10)
    #expect(LogAnalyzer.bufferSize(inputs: 100_000) == 16 << 10)
    let scratch = try ScratchDirectory()
    var paths: [String] = []
    for index in 0..<100 {
      var line = "2025-10-07 01:00:\(String(format: "%02d", index % 60)),000 - INFO - ready"
      // 700,000 bytes: whole at 1 MiB, cut at the 655 KiB a hundred inputs each get.
      if index == 0 { line += " " + String(repeating: "x", count: 700_000 - line.utf8.count - 1) }
      paths.append(try scratch.write("in\(index).log", Array((line + "\n").utf8)))
    }
    let many = try BinaryRunner.run(["analyze-logs", "--json"] + paths)
    #expect(many.status == 0)
    #expect(many.stderr == "arraytool: warning: 1 overlong line was cut at 655 KiB\n")
    let one = try BinaryRunner.run(["analyze-logs", "--json", paths[0]])
    #expect(one.stderr == "")
  }
}
