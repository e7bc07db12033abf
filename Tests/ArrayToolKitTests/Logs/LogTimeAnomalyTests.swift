// Logs whose times cannot be taken as written: timestamps that are no time (February 30, hour
// 25), and records out of time order. No record may be lost to either, and the report says how
// many there were and where the first one is.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct LogTimeAnomalyTests {
  private func analyze(_ lines: [String], gap: Double = 30) throws -> LogAnalysis {
    try LogTestSupport.analyze(lines.joined(separator: "\n") + "\n", gap: gap)
  }

  private func tally(_ count: Int, line: Int) -> RecordTally {
    var tally = RecordTally()
    tally.count = count
    tally.line = line
    return tally
  }

  /// The object `name` of the analysis's JSON.
  private func member(_ name: String, of analysis: LogAnalysis) throws -> [String: Any] {
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(analysis.json.rendered().utf8))
        as? [String: Any])
    return try #require(json[name] as? [String: Any])
  }

  // MARK: - Timestamps that are no time

  @Test func errorWithImpossibleDateIsStillCounted() throws {
    let analysis = try analyze([
      "2025-10-07 01:15:00,000 - INFO - start",
      "2025-02-30 01:15:00,000 - ERROR - [Worker 1] connection refused by vmagent:8429",
      "2025-10-07 25:15:00,000 - ERROR - [Worker 1] connection refused by vmagent:8429",
      "2025-10-07 01:16:00,000 - INFO - end",
    ])
    #expect(analysis.records == 4)
    #expect(analysis.errors == 2)
    #expect(analysis.exitStatus == .problems)
    #expect(analysis.firstTime?.text == "2025-10-07 01:15:00.000")
    #expect(analysis.lastTime?.text == "2025-10-07 01:16:00.000")
    #expect(analysis.invalidTimes == tally(2, line: 2))
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2025-10-07 01:15:00.000", "2025-10-07 01:15:00.000", count: 2,
          workers: [1, 1])
      ])
    #expect(analysis.bursts.first?.line == 2)
  }

  @Test func everyImpossibleTimestampIsCountedAtTheFirstTimeOfItsLog() throws {
    // Before any valid time, records wait for the first one and take it.
    let analysis = try analyze([
      "2025-02-30 01:15:00,000 - ERROR - feb30 connection refused",
      "2025-10-07 25:15:00,000 - ERROR - hour25 connection refused",
      "2025-10-07 01:61:00,000 - ERROR - min61",
      "2025-13-07 01:15:00,000 - ERROR - month13",
      "2025-10-07 01:15:99,000 - ERROR - sec99",
      "0000-00-00 00:00:00,000 - ERROR - zero",
      "9999-12-31 23:59:59,999 - ERROR - max",
      "-001-01-01 00:00:00,000 - ERROR - neg",
    ])
    #expect(analysis.records == 8)
    #expect(analysis.errors == 8)
    #expect(analysis.invalidTimes == tally(7, line: 1))
    #expect(analysis.firstTime?.text == "9999-12-31 23:59:59.999")
    #expect(analysis.lastTime?.text == "9999-12-31 23:59:59.999")
    #expect(analysis.classCounts == [.connectionRefused: 2, .other: 6])
    #expect(analysis.untimedRecords == 0)
  }

  @Test func aLogOfOnlyImpossibleTimestampsIsCountedWithoutTimes() throws {
    let analysis = try analyze([
      "2025-02-30 01:15:00,000 - ERROR - connection refused",
      "2025-02-31 01:15:00,000 - INFO - still running",
    ])
    #expect(analysis.records == 2)
    #expect(analysis.errors == 1)
    #expect(analysis.untimedRecords == 2)
    #expect(analysis.invalidTimes == tally(2, line: 1))
    #expect(analysis.firstTime == nil)
  }

  @Test func theOverviewSaysHowManyTimestampsWereInvalidAndWhere() throws {
    let analysis = try analyze([
      "2025-10-07 01:15:00,000 - INFO - start",
      "2025-10-07 01:15:01,000 - INFO - going",
      "2025-02-30 01:15:00,000 - WARNING - Skipping a.tgz",
      "2025-10-07 01:16:00,000 - INFO - end",
    ])
    #expect(
      IncidentReport(analysis: analysis).overview == [
        "4 records, 2025-10-07 01:15:00.000 – 01:16:00.000",
        "no errors, 1 warning",
        "1 record has an invalid timestamp (first at log0:3): each is counted at the time of the "
          + "record before it",
      ])
    let invalid = try member("invalid_timestamps", of: analysis)
    #expect(invalid["count"] as? Int == 1)
    #expect(invalid["input"] as? String == "log0")
    #expect(invalid["line"] as? Int == 3)
  }

  // MARK: - Records before an input's first time

  /// 300 lines without a time, an error without one, then timed lines: more records than wait
  /// for an input's first time (`LogRecordStream.waitingLimit`), so the first 301 stay untimed.
  private let lateFirstTime =
    (0..<300).map { "plain line \($0)" } + [
      "ERROR something failed before any time",
      "2025-10-07 01:00:00,000 - ERROR - [Worker 3] connection refused by vmagent:8429",
      "2025-10-07 01:00:01,000 - ERROR - [Worker 3] connection refused by vmagent:8429",
      "a line after the first time takes it",
    ]

  @Test func recordsWithoutATimeAreCountedWithoutAWindow() throws {
    let analysis = try analyze(lateFirstTime)
    #expect(analysis.records == 304)
    #expect(analysis.errors == 3)
    #expect(analysis.untimedRecords == 301)
    #expect(analysis.untimedLeftOut.count == 0)
  }

  @Test func recordsWithoutATimeLeftOutOfAWindowAreToldWithTheirErrors() throws {
    let lines = lateFirstTime.joined(separator: "\n") + "\n"
    let analysis = try LogTestSupport.analyze(
      [Array(lines.utf8)], since: LogTestSupport.time("2025-10-07"))
    #expect(analysis.records == 3)
    #expect(analysis.errors == 2)
    #expect(analysis.untimedRecords == 0)
    #expect(analysis.untimedLeftOut == tally(301, line: 1))
    #expect(analysis.untimedErrorsLeftOut == 1)
    #expect(
      IncidentReport(analysis: analysis).overview == [
        "3 records, 2025-10-07 01:00:00.000 – 01:00:01.000",
        "window: 2025-10-07 00:00:00.000 to the end",
        "2 errors, 0 warnings: 1 incident (1 low), no lone errors",
        "301 records without a time (first at log0:1, 1 error among them) left out, as --since "
          + "and --until cannot place them",
      ])
    let leftOut = try member("untimed_left_out", of: analysis)
    #expect(leftOut["count"] as? Int == 301)
    #expect(leftOut["errors"] as? Int == 1)
    #expect(leftOut["input"] as? String == "log0")
    #expect(leftOut["line"] as? Int == 1)
  }

  // MARK: - Records out of time order

  /// The hostile tester's log: six DNS failures of one worker, minutes apart, in no order.
  private func shuffledDnsFailures(docker: Bool = false) -> [String] {
    ["50", "10", "40", "05", "30", "01"].map { minute in
      let message = "[Worker 1] DNS lookup failed: Temporary failure in name resolution"
      return docker
        ? "2025-10-07T01:\(minute):00.000000000Z ERROR \(message)"
        : "2025-10-07 01:\(minute):00,000 - ERROR - \(message)"
    }
  }

  @Test func timesOutOfOrderGiveTheRangeFromEarliestToLatest() throws {
    for docker in [false, true] {
      let analysis = try analyze(shuffledDnsFailures(docker: docker))
      #expect(analysis.records == 6)
      #expect(analysis.errors == 6)
      #expect(analysis.firstTime?.text == "2025-10-07 01:01:00.000")
      #expect(analysis.lastTime?.text == "2025-10-07 01:50:00.000")
      #expect(analysis.outOfOrder == tally(5, line: 2))
      // Minutes apart in time, so no two of them are one burst.
      #expect(analysis.bursts.isEmpty)
      #expect(
        analysis.isolated.map { $0.time?.clockText ?? "-" } == [
          "01:01:00.000", "01:05:00.000", "01:10:00.000", "01:30:00.000", "01:40:00.000",
          "01:50:00.000",
        ])
      #expect(analysis.isolated.allSatisfy { $0.host == nil && $0.errorClass == .dnsTemporary })
      #expect(
        IncidentReport(analysis: analysis).overview == [
          "6 records, 2025-10-07 01:01:00.000 – 01:50:00.000",
          "6 errors, 0 warnings: no incident, 6 lone errors",
          "5 records out of time order, first at log0:2",
        ])
    }
  }

  /// Refused connections of worker 2 on 2025-10-07 at the given clock times, in that order.
  private func refused(at clocks: [String]) throws -> LogAnalysis {
    try analyze(
      clocks.map { "2025-10-07 \($0),000 - ERROR - [Worker 2] Connection refused by vmagent:8429" })
  }

  @Test func anErrorSlightlyOutOfOrderJoinsItsBurst() throws {
    let analysis = try refused(at: ["01:00:10", "01:00:20", "01:00:00", "01:00:15", "01:00:45"])
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2025-10-07 01:00:00.000", "2025-10-07 01:00:45.000", count: 5,
          workers: [2, 2])
      ])
    #expect(analysis.outOfOrder == tally(2, line: 3))
  }

  @Test func aJumpBackByTheGapStartsTheBurstsOver() throws {
    // Rotated files joined in the wrong order: the later minutes first.
    let analysis = try refused(at: ["02:00:00", "02:00:10", "01:59:40", "01:59:50", "02:00:05"])
    // 01:59:40 is 30 s before the burst's latest error, the gap: it cannot join that burst.
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2025-10-07 01:59:40.000", "2025-10-07 02:00:05.000", count: 3,
          workers: [2, 2]),
        BurstSummary(
          "connection_refused", "2025-10-07 02:00:00.000", "2025-10-07 02:00:10.000", count: 2,
          workers: [2, 2]),
      ])
    #expect(analysis.bursts.map(\.line) == [3, 1])
    #expect(analysis.outOfOrder == tally(3, line: 3))
    #expect(analysis.firstTime?.text == "2025-10-07 01:59:40.000")
    #expect(analysis.lastTime?.text == "2025-10-07 02:00:10.000")
  }

  @Test func anErrorLoggedWellBeforeAnotherIsNotItsConsequence() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - [Worker 3] [Errno -3] Temporary failure in name resolution",
      "2025-10-07 00:59:00,000 - ERROR - [Worker 3] Failed to send batch",
    ])
    #expect(analysis.isolated.map(\.errorClass) == [.other, .dnsTemporary])
    #expect(analysis.isolated.map(\.count) == [1, 1])
    #expect(analysis.outOfOrder == tally(1, line: 2))
  }

  @Test func aWarningGroupSpansItsEarliestAndLatestWarning() throws {
    let analysis = try analyze([
      "2025-10-07 01:10:00,000 - WARNING - Unknown metric id 12 in a.tgz",
      "2025-10-07 01:00:00,000 - WARNING - Unknown metric id 13 in b.tgz",
      "2025-10-07 01:05:00,000 - WARNING - Unknown metric id 14 in c.tgz",
    ])
    #expect(analysis.warningGroups.map(\.count) == [3])
    #expect(analysis.warningGroups.first?.first?.text == "2025-10-07 01:00:00.000")
    #expect(analysis.warningGroups.first?.last?.text == "2025-10-07 01:10:00.000")
    #expect(analysis.outOfOrder == tally(2, line: 2))
  }

  @Test func aLeapSecondEndsItsMinuteAndKeepsTheLogInOrder() throws {
    let analysis = try analyze([
      "2016-12-31 23:59:59,000 - ERROR - [Worker 1] connection refused by vmagent:8429",
      "2016-12-31 23:59:60,500 - ERROR - [Worker 1] connection refused by vmagent:8429",
      "2017-01-01 00:00:00,000 - ERROR - [Worker 1] connection refused by vmagent:8429",
    ])
    #expect(analysis.outOfOrder.count == 0)
    #expect(analysis.firstTime?.text == "2016-12-31 23:59:59.000")
    #expect(analysis.lastTime?.text == "2017-01-01 00:00:00.000")
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2016-12-31 23:59:59.000", "2017-01-01 00:00:00.000", count: 3,
          workers: [1, 1])
      ])
    #expect(
      LogTime(year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 60)?.text
        == "2016-12-31 23:59:59.999")
  }
}
