// The landed check's reading of counts: a surplus is reported only once two readings agree, so
// that samples still becoming searchable are not left out of the count it prints.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct LandedCheckTests {
  static let key = SeriesKey(
    name: "huawei_iops", element: "lun", resource: "LUN", serial: "SN1", interval: 60)

  /// One /api/v1/export line of `count` samples of `key`.
  static func exportLine(_ count: Int) -> String {
    let values = Array(repeating: "1", count: count).joined(separator: ",")
    let stamps = (0..<count).map { String(1_758_758_400_000 + $0 * 60_000) }.joined(separator: ",")
    return "{\"metric\":{\"__name__\":\"huawei_iops\",\"Element\":\"lun\",\"Resource\":\"LUN\","
      + "\"SN\":\"SN1\",\"scrape_interval\":\"60\"},\"values\":[\(values)],"
      + "\"timestamps\":[\(stamps)]}\n"
  }

  /// 240 sent, 480 stored, of which 465 are searchable at the first reading: the check reads
  /// again until the count stops moving, and reports 480.
  @Test func aSurplusIsReportedOnceTwoReadingsAgree() throws {
    // Each round is a flush, then the export.
    let server = try ScriptedHTTPServer(script: [
      (204, ""), (200, Self.exportLine(465)),
      (204, ""), (200, Self.exportLine(480)),
      (204, ""), (200, Self.exportLine(480)),
    ])
    defer { server.stop() }
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)], agents: [], timeout: 30)
    let result = check.run(expected: [Self.key: 240], first: 1_758_758_400_000,
                           last: 1_758_758_400_000 + 480 * 60_000)
    #expect(result.error == nil)
    #expect(result.expectedSamples == 240)
    #expect(result.foundSamples == 480)
    #expect(result.differences == [
      LandedResult.Difference(series: LandedCheck.describe(Self.key), sent: 240, found: 480)
    ])
    #expect(server.requests.filter { $0.path.hasPrefix("/api/v1/export") }.count == 3)
  }

  /// The same export sent twice with --force into a VictoriaMetrics without deduplication: the
  /// report holds the whole surplus, exactly twice every series.
  @Test func anExportSentTwiceIsCountedTwiceExactly() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try ImportIntegrationTests.export(
        files: 2, start: 1_737_504_000, in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let command = ["import", "--url", storage.url, "--json", path]
      _ = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command + ["--force"], environment: state), status: 1)
      #expect(report["samples_sent"] as? Int == 16_800)
      let landed = report["landed"] as? [String: Any]
      #expect(landed?["passed"] as? Bool == false)
      #expect(landed?["duplicates_likely"] as? Bool == true)
      #expect(landed?["expected_samples"] as? Int == 16_800)
      #expect(landed?["found_samples"] as? Int == 33_600)
      let seconds = try #require((landed?["seconds"] as? NSNumber)?.doubleValue)
      #expect(seconds >= 0 && seconds < 120)
      let differences = landed?["differences"] as? [[String: Any]] ?? []
      #expect(differences.count == 280)
      #expect(differences.allSatisfy { $0["sent"] as? Int == 60 && $0["found"] as? Int == 120 })
    }
  }
}
