// Which VictoriaMetrics an import judges the export by and counts in: every server samples may
// be stored in (targets and fallbacks that are a VictoriaMetrics, and --query-url) has its
// flags read, the strictest retention refuses, and without --query-url those servers are where
// the landed check counts.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportStoresTests {
  typealias Integration = ImportIntegrationTests

  static func checks(_ report: [String: Any]) -> [[String: String]] {
    (report["preflight"] as? [String: Any])?["checks"] as? [[String: String]] ?? []
  }

  /// The new-user trial: a dead primary, a fallback that keeps one day, the sample export of
  /// 2025. Before, the fallback's flags were not read, every batch went to it, and it dropped
  /// them all while the report said "all samples delivered".
  @Test func aFallbackThatWouldDropTheExportStopsItBeforeSending() throws {
    try VictoriaMetricsServer.withVictoriaMetrics(retention: "1d") { fallback in
      let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
      let result = try BinaryRunner.run([
        "import", "--url", "http://127.0.0.1:1", "--fallback-url", fallback.url, "--retries", "2",
        "--retry-delay", "0.1", "--json", path,
      ])
      let report = try Integration.expectReport(result, status: 1)
      #expect(report["samples_sent"] as? Int == 0)
      let checks = Self.checks(report)
      #expect(checks.map { $0["name"] ?? "" } == [
        "inputs", "target http://127.0.0.1:1", "fallback \(fallback.url)", "retention",
        "deduplication", "line length",
      ])
      #expect(checks.map { $0["status"] ?? "" } == ["ok", "warning", "ok", "failed", "warning", "ok"])
      let message = checks.first { $0["name"] == "retention" }?["message"] ?? ""
      #expect(message.hasPrefix("67,200 samples in 8 files are older than "))
      #expect(message.hasSuffix(
        " UTC, the cut-off of -retentionPeriod=1d: VictoriaMetrics would drop them without an "
          + "error. Raise -retentionPeriod on the server, or import a folder of only the files "
          + "newer than that"))
      #expect(try Integration.importRequests(fallback) == 0)
    }
  }

  /// A target that keeps everything and a fallback that keeps a day: the fallback decides.
  @Test func theShortestRetentionOfTargetAndFallbackDecides() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { target in
      try VictoriaMetricsServer.withVictoriaMetrics(retention: "1d") { fallback in
        let scratch = try ScratchDirectory()
        let (path, _) = try Integration.export(files: 2, start: 1_737_244_800, in: scratch)
        let result = try BinaryRunner.run([
          "import", "--url", target.url, "--fallback-url", fallback.url, "--json", path,
        ])
        let report = try Integration.expectReport(result, status: 1)
        let checks = Self.checks(report)
        let retention = checks.first { $0["name"] == "retention" }
        #expect(retention?["status"] == "failed")
        #expect(retention?["message"]?.contains(
          " UTC, the cut-off of -retentionPeriod=1d at \(fallback.url) (the shortest of 2): "
            + "VictoriaMetrics would drop them") == true)
        #expect(retention?["message"]?.hasPrefix("16,800 samples in 2 files are older than ") == true)
        let dedup = checks.first { $0["name"] == "deduplication" }?["message"] ?? ""
        #expect(dedup.hasPrefix(
          "off (-dedup.minScrapeInterval is not set at \(target.url), \(fallback.url)): "))
        #expect(try Integration.importRequests(target) == 0)
        #expect(try Integration.importRequests(fallback) == 0)
      }
    }
  }

  /// Without --query-url, the fallback that took every batch is where they are counted.
  @Test func theFallbackServesAsTheQueryURLOfTheLandedCheck() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { fallback in
      let scratch = try ScratchDirectory()
      let (path, generator) = try Integration.export(files: 2, start: 1_737_331_200, in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let result = try BinaryRunner.run([
        "import", "--url", "http://127.0.0.1:1", "--fallback-url", fallback.url, "--retries", "2",
        "--retry-delay", "0.05", "--json", path,
      ], environment: state)
      let report = try Integration.expectReport(result, status: 0)
      #expect(report["samples_sent"] as? Int == 16_800)
      #expect(report["batches_by_target"] as? [String: Int] == [fallback.url: 2])
      Integration.expectLanded(report, samples: 16_800, series: 280, in: fallback)
      // The preflight read the fallback's flags.
      #expect(!result.stderr.contains("server flags"))
      #expect(result.stderr.contains("\n  ok   retention: -retentionPeriod=100y: every sample is "))
      #expect(result.stderr.contains("checking that the samples landed in \(fallback.url)\n"))
      try Integration.expectStoredExactly(generator, files: [0, 1], in: fallback)

      // The fallback's journal knows what it took: an import straight to it sends nothing.
      let again = try Integration.expectReport(
        BinaryRunner.run(["import", "--url", fallback.url, "--json", path], environment: state),
        status: 0)
      #expect(again["samples_sent"] as? Int == 0)
      #expect(again["files_skipped"] as? Int == 2)
      Integration.expectLanded(again, samples: 16_800, series: 280, in: fallback)
      try Integration.expectStoredExactly(generator, files: [0, 1], in: fallback)
    }
  }

  /// Batches spread over a VictoriaMetrics and a vmagent writing to it: counted in the
  /// VictoriaMetrics, where all of them end up. Before, no landed check ran at all.
  @Test func severalTargetsOfWhichOneIsAVictoriaMetricsAreCheckedThere() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try Integration.export(files: 4, start: 1_737_417_600, in: scratch)
      let result = try BinaryRunner.run([
        "import", "--url", storage.url, "--url", agent.url, "--concurrency", "2", "--json", path,
      ])
      let report = try Integration.expectReport(result, status: 0)
      #expect(report["samples_sent"] as? Int == 33_600)
      #expect(report["batches_by_target"] as? [String: Int] == [storage.url: 2, agent.url: 2])
      Integration.expectLanded(report, samples: 33_600, series: 280, in: storage)
      let checklist = result.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }
      #expect(checklist.map { $0.split(separator: ":")[0] } == [
        "  ok   inputs", "  ok   target http", "  ok   target http", "  ok   retention",
        "  warn deduplication", "  ok   line length",
      ])
      try Integration.expectStoredExactly(generator, files: [0, 1, 2, 3], in: storage, through: agent)
    }
  }

  /// The new-user trial: vmagent in front of a VictoriaMetrics that keeps a day, the sample
  /// export of 2025, no --query-url. vmagent takes every batch and VictoriaMetrics drops them
  /// all; before, the report said "all samples delivered" and nothing else.
  @Test func acceptedByVmagentWithNoVictoriaMetricsToCheckInIsNotCalledDelivered() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics(retention: "1d") { agent, storage in
      let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
      let verdict = "all samples accepted by vmagent, but neither retention nor landing was "
        + "checked in VictoriaMetrics (give --query-url)"
      let json = try BinaryRunner.run(["import", "--url", agent.url, "--json", path])
      let report = try Integration.expectReport(json, status: 0)
      #expect(report["samples_sent"] as? Int == 67_200)
      #expect(report["all_delivered"] as? Bool == true)
      #expect(report["verdict"] as? String == verdict)
      #expect(report["accepted_only_by"] as? String == "vmagent")
      #expect(report["landed"] is NSNull)
      #expect(json.stderr.contains("\n  warn server flags: no VictoriaMetrics to read flags from "))

      let text = try BinaryRunner.run(["import", "--url", agent.url, path])
      #expect(text.status == 0)
      #expect(text.stdout.hasPrefix("import: \(verdict)\n  files:       8/8 processed, "))
    }
  }

  /// What a run is told, on stderr, when its --query-url `url` is a vmagent.
  static func vmagentQueryRefusal(_ url: String) -> String {
    "arraytool: error: --query-url \(url) is a vmagent, not a VictoriaMetrics: samples cannot be "
      + "counted there; give the VictoriaMetrics vmagent writes to (usually port 8428)\n"
      + "arraytool: hint: see 'arraytool import --help'\n"
  }

  /// A --query-url that is a vmagent is a wrong value: refused with status 2, as a replay
  /// refuses it, once the preflight has said what it asks and before it reads the inputs.
  /// Before, every input was verified first and the preflight then failed with status 1.
  @Test func aQueryURLThatIsAVmagentIsRefusedBeforeTheInputsAreRead() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, _ in
      let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
      let result = try BinaryRunner.run(
        ["import", "--url", agent.url, "--query-url", agent.url, "--json", path])
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(
        result.stderr
          == "arraytool: preflight: checking the inputs and \(agent.url) (at most 5 s a request)\n"
          + Self.vmagentQueryRefusal(agent.url))
      // Without the preflight, and from the environment, it is refused all the same, named as
      // it was given, before anything is sent.
      let unchecked = try BinaryRunner.run(
        ["import", "--url", agent.url, "--no-preflight", "--json", path],
        environment: ["ARRAYTOOL_VM_URL": agent.url])
      #expect(unchecked.status == 2)
      #expect(unchecked.stdout == "")
      #expect(unchecked.stderr == Self.vmagentQueryRefusal(agent.url).replacingOccurrences(
        of: "error: --query-url ", with: "error: ARRAYTOOL_VM_URL "))
      #expect(unchecked.stderr.contains("error: ARRAYTOOL_VM_URL \(agent.url)"))
    }
  }

  /// Through vmagent with --query-url, flags and landing are checked: the headline is the
  /// plain one, and names no acceptor.
  @Test func aCheckedImportThroughVmagentIsCalledDelivered() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try Integration.export(files: 1, start: 1_737_504_000, in: scratch)
      let command = ["import", "--url", agent.url, "--query-url", storage.url, "--json", path]
      let report = try Integration.expectReport(BinaryRunner.run(command), status: 0)
      #expect(report["verdict"] as? String == "all samples delivered")
      #expect(report["accepted_only_by"] is NSNull)
      Integration.expectLanded(report, samples: 8_400, series: 280, in: storage)
    }
  }
}
