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
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(analysis.json.rendered().utf8))
        as? [String: Any])
    let invalid = try #require(json["invalid_timestamps"] as? [String: Any])
    #expect(invalid["count"] as? Int == 1)
    #expect(invalid["input"] as? String == "log0")
    #expect(invalid["line"] as? Int == 3)
  }
}
