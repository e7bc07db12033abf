// The committed sample log of a real night: it must give exactly the bursts of its expected
// JSON, every field the expectation names, and no other burst.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct FixtureLogTests {
  /// The expected bursts, as committed next to the log.
  private func expectedBursts() throws -> [[String: Any]] {
    let data = try Data(contentsOf: LogTestSupport.fixture("api.expected.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
  }

  private func analysis() throws -> LogAnalysis {
    let bytes = try Data(contentsOf: LogTestSupport.fixture("api.log"))
    return try LogTestSupport.analyze([Array(bytes)])
  }

  @Test func theSampleLogGivesExactlyTheExpectedBursts() throws {
    let expected = try expectedBursts()
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(try analysis().json.rendered().utf8))
        as? [String: Any])
    let bursts = try #require(json["bursts"] as? [[String: Any]])
    #expect(bursts.count == expected.count)
    for (found, wanted) in zip(bursts, expected) {
      for (key, value) in wanted {
        #expect(
          (found[key] as? NSObject) == (value as? NSObject), "\(wanted["class"] ?? "") \(key)")
      }
    }
  }

  @Test func theSampleLogsCountsAndIncidents() throws {
    let analysis = try analysis()
    #expect(analysis.records == 520)
    #expect(analysis.errors == 213)
    #expect(analysis.warnings == 1)
    #expect(analysis.isolated.isEmpty)
    #expect(analysis.classCounts == [.dnsTemporary: 212, .corruptArchive: 1])
    let dns = analysis.bursts[0]
    #expect(dns.primaryCount == 106)
    #expect(dns.batchesFailed == 106)
    #expect(dns.workerCount == 26)
    #expect(dns.hosts == ["vmagent"])
    #expect(dns.severity == .critical)
    #expect(dns.line == 154)
    let archive = analysis.bursts[1]
    #expect(
      archive.files == [
        "PerfData_OceanStorDorado5000V6_SN_2102350TST10KA000042_SP1_0_20251007002400.tgz"
      ])
    #expect(archive.severity == .medium)
    #expect(analysis.warningGroups.map(\.kind) == [.skippedFile])
  }

  @Test func theSampleLogCutIntoTwoFilesMergesBackByTime() throws {
    let lines = try String(contentsOf: LogTestSupport.fixture("api.log"), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false)
    // Alternate lines into two inputs, as two containers would have written them.
    let first = lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    let second = lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    let split = try LogTestSupport.analyze([
      Array(first.joined(separator: "\n").utf8), Array(second.joined(separator: "\n").utf8),
    ])
    let whole = try analysis()
    #expect(split.burstSummaries == whole.burstSummaries)
    #expect(split.records == 520)
  }
}
