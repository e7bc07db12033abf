// How errors become incidents: which later errors count as consequences of an earlier one,
// what joins a burst and what stays alone, and how warnings add what they name.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct BurstDetectorTests {
  private func analyze(_ lines: [String], gap: Double = 30) throws -> LogAnalysis {
    try LogTestSupport.analyze(lines.joined(separator: "\n") + "\n", gap: gap)
  }

  @Test func anUnrelatedErrorOfAnotherWorkerIsNotAConsequence() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - [Worker 3] Connection refused by vmagent:8429",
      "2025-10-07 01:00:00,100 - ERROR - [Worker 4] KeyError: 'serial'",
      "2025-10-07 01:00:00,200 - ERROR - [Worker 3] Connection refused by vmagent:8429",
    ])
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2025-10-07 01:00:00.000", "2025-10-07 01:00:00.200", count: 2,
          workers: [3, 3])
      ])
    #expect(analysis.isolated.map(\.errorClass) == [.other])
    #expect(analysis.isolated.first?.worker == 4)
  }

  @Test func theSameWorkersNextErrorIsAConsequence() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - [Worker 3] Read timed out (read timeout=30)",
      "2025-10-07 01:00:00,010 - ERROR - [Worker 3] Aborting import of a.tgz",
    ])
    #expect(analysis.bursts.isEmpty)
    #expect(analysis.isolated.count == 1)
    #expect(analysis.isolated.first?.count == 2)
    #expect(analysis.isolated.first?.errorClass == .timeout)
  }

  @Test func aConsequenceRepeatingTheCausesWordsJoinsIt() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - Import request failed: POST http://vm:8428/api/v1/import: connection refused",
      "2025-10-07 01:00:00,020 - ERROR - [Worker 11] Import request failed, giving up on PerfData_SP0.tgz",
      "2025-10-07 01:00:01,000 - ERROR - Import request failed: POST http://vm:8428/api/v1/import: connection refused",
      "2025-10-07 01:00:01,020 - ERROR - [Worker 12] Import request failed, giving up on PerfData_SP1.tgz",
      "2025-10-07 01:00:01,500 - ERROR - [Worker 12] Import of row 7 failed: bad value",
    ])
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "connection_refused", "2025-10-07 01:00:00.000", "2025-10-07 01:00:01.020", count: 4,
          workers: [11, 12])
      ])
    #expect(analysis.bursts.first?.host == "vm")
    #expect(analysis.isolated.map(\.message) == ["[Worker 12] Import of row 7 failed: bad value"])
  }

  @Test func anUnrelatedFailureRightAfterAnErrorStaysApart() throws {
    // Both fail, but the second is about rows, not about the request that timed out.
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - Failed to send batch: Read timed out. (read timeout=30)",
      "2025-10-07 01:00:00,010 - ERROR - [Worker 3] Failed to import row 17: value out of range",
      "2025-10-07 01:00:00,500 - ERROR - Failed to send batch: Read timed out. (read timeout=30)",
      "2025-10-07 01:00:00,510 - ERROR - [Worker 4] Failed to import row 18: value out of range",
    ])
    #expect(analysis.bursts.map(\.errorClass) == [.timeout, .other])
    #expect(analysis.bursts.map(\.count) == [2, 2])
  }

  @Test func aConsequenceTooLateStandsAlone() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - [Errno -3] Temporary failure in name resolution",
      "2025-10-07 01:00:05,000 - ERROR - [Worker 8] Failed to send batch",
    ])
    #expect(analysis.isolated.map(\.errorClass) == [.dnsTemporary, .other])
    #expect(analysis.isolated.map(\.count) == [1, 1])
  }

  @Test func eachConsequenceFollowsItsOwnCause() throws {
    // Two causes, then their two consequences: each cause takes one, so both batches count once.
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - Failed to send batch: [Errno -3] Temporary failure in name resolution",
      "2025-10-07 01:00:00,001 - ERROR - Failed to send batch: [Errno -3] Temporary failure in name resolution",
      "2025-10-07 01:00:00,002 - ERROR - [Worker 1] Failed to send batch",
      "2025-10-07 01:00:00,003 - ERROR - [Worker 2] Failed to send batch",
    ])
    let burst = try #require(analysis.bursts.first)
    #expect(burst.count == 4)
    #expect(burst.batchesFailed == 2)
    #expect(burst.workerRange == 1...2)
  }

  @Test func aBurstNeedsTwoErrorsOfItsClassUnlessOneLosesData() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - upstream answered 503 Service Unavailable",
      "2025-10-07 01:05:00,000 - ERROR - OSError: [Errno 28] No space left on device",
      "2025-10-07 01:10:00,000 - ERROR - MemoryError",
    ])
    #expect(analysis.bursts.map(\.errorClass) == [.diskFull, .outOfMemory])
    #expect(analysis.bursts.map(\.severity) == [.critical, .critical])
    #expect(analysis.isolated.map(\.errorClass) == [.http5xx])
    #expect(analysis.isolated.first?.severity == .low)
  }

  @Test func unrecognisedErrorsBurstByTemplate() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - ERROR - KeyError: 'sn_1' in row 17",
      "2025-10-07 01:00:01,000 - ERROR - KeyError: 'sn_2' in row 18",
      "2025-10-07 01:00:02,000 - ERROR - ValueError: bad row 19",
    ])
    #expect(analysis.bursts.map(\.template) == ["KeyError: 'sn_<n>' in row <n>"])
    #expect(analysis.bursts.first?.count == 2)
    #expect(analysis.isolated.map(\.template) == ["ValueError: bad row <n>"])
  }

  @Test func manyIncidentsOpenAtOnceAreEachLookedAtOnceToClose() throws {
    // 6,000 errors 10 ms apart whose messages all differ: 3,000 incidents are open at any time,
    // and each must be looked at once when it runs out of gap, not at every error after it.
    let letters = Array("ghijklmnopqrstuvwxyz")
    let analyzer = LogAnalyzer(options: LogAnalysisOptions(gap: 30))
    var text = ""
    for index in 0..<6_000 {
      let word = String([letters[index / 400], letters[index / 20 % 20], letters[index % 20]])
      let milliseconds = index * 10
      let clock = String(format: "01:%02d:%02d,%03d", milliseconds / 60_000,
        milliseconds / 1000 % 60, milliseconds % 1000)
      text += "2025-10-07 \(clock) - ERROR - ValueError: no field \(word)\n"
    }
    for record in try LogTestSupport.records(text) { analyzer.add(record) }
    let analysis = analyzer.finish()
    #expect(analysis.bursts.isEmpty)
    #expect(analysis.isolated.count == 6_000)
    #expect(Set(analysis.isolated.compactMap(\.template)).count == 6_000)
    #expect(analysis.isolated.last?.template == "ValueError: no field uzz")
    #expect(analyzer.expiryVisits == 6_000)
  }

  @Test func noMoreThanTenThousandIncidentsStayOpen() throws {
    // 10,003 different messages in one second, then the first again: the least recent incidents
    // are closed to make room, and the repeated message starts an incident of its own.
    let letters = Array("ghijklmnopqrstuvwxyz")
    var text = ""
    for index in Array(0..<10_003) + [0] {
      let word = String([letters[index / 8000], letters[index / 400 % 20],
        letters[index / 20 % 20], letters[index % 20]])
      let clock = index == 0 && !text.isEmpty ? "01:00:01,000" : "01:00:00,000"
      text += "2025-10-07 \(clock) - ERROR - ValueError: no field \(word)\n"
    }
    let analysis = try LogTestSupport.analyze(text)
    #expect(analysis.incidentsClosedEarly == 4)
    #expect(analysis.bursts.isEmpty)
    #expect(analysis.isolated.count + analysis.isolatedOmitted == 10_004)
    #expect(analysis.isolated.filter { $0.template == "ValueError: no field gggg" }.count == 2)
    let overview = IncidentReport(analysis: analysis).overview.joined(separator: "\n")
    #expect(
      overview.contains(
        "4 incidents closed before the gap passed, as 10000 incidents were open at once: a "
          + "later error of one of them starts another"))
  }

  @Test func aWarningAddsTheFileItSkipsWithoutBeingCounted() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - INFO - [Worker 2] Processing a.tgz",
      "2025-10-07 01:00:01,000 - ERROR - [Worker 2] tarfile.ReadError: unexpected end of data",
      "2025-10-07 01:00:01,005 - WARNING - [Worker 2] Skipping b.tgz",
    ])
    let burst = try #require(analysis.bursts.first)
    #expect(burst.errorClass == .tarError)
    #expect(burst.count == 1)
    #expect(burst.files == ["a.tgz", "b.tgz"])
    #expect(burst.last?.text == "2025-10-07 01:00:01.000")
    #expect(analysis.warnings == 1)
  }

  @Test func aLostBatchIsTracedToTheFileItsWorkerWasImporting() throws {
    let analysis = try analyze([
      "2025-10-07 01:00:00,000 - INFO - [Worker 5] Processing PerfData_SP0_20251007000100.tgz",
      "2025-10-07 01:00:00,500 - INFO - [Worker 6] Processing PerfData_SP1_20251007000100.tgz",
      "2025-10-07 01:00:00,600 - INFO - [Worker 6] done: 1,000 metrics in 0.1s",
      "2025-10-07 01:00:01,000 - ERROR - [Worker 5] Failed to send batch: Connection refused",
      "2025-10-07 01:00:02,000 - ERROR - [Worker 6] Failed to send batch: Connection refused",
    ])
    let burst = try #require(analysis.bursts.first)
    #expect(burst.files == ["PerfData_SP0_20251007000100.tgz"])
    #expect(burst.batchesFailed == 2)
  }

  @Test func sinceAndUntilKeepOnlyTheWindow() throws {
    let log = IncidentLog.render(IncidentLog.night, style: .python)
    let analysis = try LogTestSupport.analyze(
      [Array(log.utf8)], since: LogTestSupport.time("2025-11-03 03:30"),
      until: LogTestSupport.time("2025-11-03 04:45"))
    #expect(analysis.burstSummaries == Array(IncidentLog.nightBursts.dropFirst()))
    #expect(analysis.isolated.isEmpty)
    #expect(analysis.firstTime?.text == "2025-11-03 04:00:00.000")
  }
}
