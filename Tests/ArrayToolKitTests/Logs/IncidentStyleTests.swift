// The same night of incidents, written in each style analyze-logs reads, must give exactly the
// same bursts; and the two shapes the issue names (a trickle of 503s, a storm of uvicorn 500s)
// must come out as lone errors and as one burst.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct IncidentStyleTests {
  @Test(arguments: LogStyle.allCases)
  func everyStyleGivesTheSameBursts(style: LogStyle) throws {
    let log = IncidentLog.render(IncidentLog.night, style: style)
    let analysis = try LogTestSupport.analyze(log)
    #expect(analysis.burstSummaries == IncidentLog.nightBursts)
    #expect(analysis.errors == 80 + 5 + 1 + 1)
    #expect(analysis.warnings == 4)
    #expect(analysis.isolated.map(\.errorClass) == [.timeout])
    #expect(analysis.isolated.first?.time?.text == "2025-11-03 05:00:00.000")
    #expect(analysis.isolated.first?.worker == 5)
  }

  @Test(arguments: LogStyle.allCases)
  func everyStyleCountsTheSameRecords(style: LogStyle) throws {
    let events = IncidentLog.night
    let log = IncidentLog.render(events, style: style)
    let analysis = try LogTestSupport.analyze(log)
    let otherService = style == .composeColoured ? events.filter { $0.level == "INFO" }.count : 0
    #expect(analysis.records == events.count + otherService)
  }

  @Test func theNightsIncidentsCarryTheirFields() throws {
    let analysis = try LogTestSupport.analyze(IncidentLog.render(IncidentLog.night, style: .python))
    let dns = try #require(analysis.bursts.first)
    #expect(dns.host == "vmagent.monitoring")
    #expect(dns.port == 8429)
    #expect(dns.primaryCount == 40)
    #expect(dns.batchesFailed == 40)
    #expect(dns.workerCount == 15)
    #expect(dns.severity == .critical)
    let refused = analysis.bursts[1]
    #expect(refused.host == "victoriametrics")
    #expect(refused.port == 8428)
    #expect(refused.workerCount == 3)
    #expect(refused.batchesFailed == 5)
    let archive = analysis.bursts[2]
    #expect(archive.files == [IncidentLog.truncatedFile])
    #expect(archive.reason == "truncated")
    #expect(archive.severity == .medium)
    #expect(archive.filesSkipped == 1)
  }

  @Test func aTracebackAfterTheArchiveErrorCountsOnce() throws {
    let log = IncidentLog.render(IncidentLog.night, style: .python)
    let records = try LogTestSupport.records(log)
    let archive = try #require(records.first { $0.message.contains("end-of-stream") })
    #expect(archive.continuationLines == 6)
    #expect(
      String(decoding: archive.text, as: UTF8.self).hasSuffix(
        "EOFError: Compressed file ended before the end-of-stream marker was reached"))
  }

  @Test func aTrickleOf503sTenMinutesApartIsLoneErrors() throws {
    var lines = ["2025-11-03 06:00:00,000 - INFO - api started"]
    for index in 0..<4 {
      lines.append("2025-11-03 06:\(10 * index + 15):00,000 - INFO - request done")
      lines.append(
        "INFO:     172.18.0.7:4810\(index) - \"GET /api/v1/status HTTP/1.1\" 503 Service Unavailable"
      )
    }
    let analysis = try LogTestSupport.analyze(lines.joined(separator: "\n") + "\n")
    #expect(analysis.bursts.isEmpty)
    #expect(analysis.errors == 4)
    #expect(analysis.isolated.map(\.errorClass) == Array(repeating: .http5xx, count: 4))
    #expect(
      analysis.isolated.map { $0.time?.text ?? "" } == [
        "2025-11-03 06:15:00.000", "2025-11-03 06:25:00.000", "2025-11-03 06:35:00.000",
        "2025-11-03 06:45:00.000",
      ])
    #expect(analysis.isolated.map(\.status) == [503, 503, 503, 503])
  }

  @Test func aDnsFailureWithoutAHostSpeaksOfTheServersName() throws {
    let lines = (0..<3).map {
      "2025-11-03 14:05:0\($0),000 - ERROR - [Worker 1] socket.gaierror: [Errno -3] "
        + "Temporary failure in name resolution"
    }
    let analysis = try LogTestSupport.analyze(lines.joined(separator: "\n") + "\n")
    let burst = try #require(analysis.bursts.first)
    #expect(burst.host == nil)
    #expect(
      IncidentAdvice(burst: burst, input: "api.log").happened
        == "On 2025-11-03 between 14:05:00.000 and 14:05:02.000 (2 s), 3 requests to the server "
        + "failed before a connection was made: the resolver gave no answer for the server's "
        + "name (EAI_AGAIN, a temporary failure). Worker 1 reported it. The errors stopped by "
        + "themselves after 2 s.")
  }

  @Test func aStormOfTwentyUvicorn500sInThreeSecondsIsOneBurst() throws {
    var lines: [String] = []
    for index in 0..<20 {
      let time = LogTestSupport.time("2025-11-03 07:00:00.100")!.adding(
        seconds: Double(index) * 0.15)
      lines.append(
        IncidentLog.dockerTime(time) + " INFO:     172.18.0.9:5\(1000 + index) - "
          + "\"POST /api/v1/import HTTP/1.1\" 500 Internal Server Error")
    }
    let analysis = try LogTestSupport.analyze(lines.joined(separator: "\n"))
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "http_5xx", "2025-11-03 07:00:00.100", "2025-11-03 07:00:02.950", count: 20, workers: [])
      ])
    #expect(analysis.bursts.first?.rejectedWrites == 20)
    #expect(analysis.bursts.first?.severity == .critical)
    #expect(analysis.bursts.first?.statuses == [500: 20])
  }

  @Test func uvicornLinesWithoutTimeTakeThePreviousLinesTime() throws {
    let log = """
      2025-11-03 08:00:01,500 - INFO - handling import
      INFO:     10.0.0.2:40000 - "POST /api/v1/import HTTP/1.1" 502 Bad Gateway
      INFO:     10.0.0.2:40001 - "POST /api/v1/import HTTP/1.1" 502 Bad Gateway
      2025-11-03 08:00:09,000 - INFO - retrying
      INFO:     10.0.0.2:40002 - "POST /api/v1/import HTTP/1.1" 200 OK

      """
    let analysis = try LogTestSupport.analyze(log)
    #expect(
      analysis.burstSummaries == [
        BurstSummary(
          "http_5xx", "2025-11-03 08:00:01.500", "2025-11-03 08:00:01.500", count: 2, workers: [])
      ])
    #expect(analysis.records == 5)
  }

  @Test func aGapShorterThanTheDistanceSplitsABurst() throws {
    let log = IncidentLog.render(IncidentLog.night, style: .python)
    let analysis = try LogTestSupport.analyze([Array(log.utf8)], gap: 7)
    // The refused connections are 7.5 s apart: with a 7 s gap each stands alone.
    #expect(analysis.bursts.map(\.errorClass) == [.dnsTemporary, .corruptArchive])
    #expect(analysis.isolated.filter { $0.errorClass == .connectionRefused }.count == 5)
  }
}
