// `arraytool import` against real VictoriaMetrics and vmagent processes: what the report says,
// and what the server holds afterwards, read back sample for sample. Every test starts its own
// servers and imports an export of its own window of time.

import Foundation
import Testing

@testable import ArrayToolKit

/// Imports that go right, or that the preflight stops, checked in a real VictoriaMetrics.
@Suite(.serialized) struct ImportIntegrationTests {
  static let catalog = try! SeriesCatalog.bundled()

  /// A generated export of `files` files from `start` (Unix seconds), written as a zip.
  static func export(
    files: Int, start: Int64, in scratch: ScratchDirectory,
    profile change: (inout ExportProfile) -> Void = { _ in }
  ) throws -> (path: String, generator: ExportGenerator) {
    var profile = ExportProfile()
    profile.files = files
    profile.start = start
    change(&profile)
    let generator = ExportGenerator(profile: profile)
    let path = scratch.path + "/export.zip"
    try generator.writeZip(to: path)
    return (path, generator)
  }

  /// A folder export of four files, and the path of its second file, which tests damage.
  static func folderExport(start: Int64, in scratch: ScratchDirectory) throws
    -> (generator: ExportGenerator, folder: String, second: String)
  {
    var profile = ExportProfile()
    profile.files = 4
    profile.start = start
    let generator = ExportGenerator(profile: profile)
    let folder = scratch.path + "/export"
    try generator.writeDirectory(to: folder)
    return (generator, folder, folder + "/" + generator.memberName(1))
  }

  /// Expects `result` to have ended with `status` and returns the JSON report it printed.
  static func expectReport(
    _ result: BinaryResult, status: Int32, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [String: Any] {
    #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    return try ImportDeliveryTests.report(result)
  }

  /// Reads back what `storage` holds of the generated export (once `agent`, if given, has
  /// passed everything on) and expects exactly the samples of `files`: every series, every
  /// row, nothing twice.
  @discardableResult
  static func expectStoredExactly(
    _ generator: ExportGenerator, files: [Int], in storage: VictoriaMetricsServer,
    through agent: VictoriaMetricsServer? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> StoredSamples {
    let series = Set(generator.seriesByPosition(catalog))
    let samples = files.count * generator.profile.blocksPerFile * generator.profile.rowsPerBlock
      * series.count
    let stored = try StoredSamples.read(
      serial: generator.profile.serial, from: storage, through: agent, expecting: samples)
    #expect(stored.series == series, sourceLocation: sourceLocation)
    #expect(stored.count == samples, sourceLocation: sourceLocation)
    #expect(stored.distinctCount == samples, sourceLocation: sourceLocation)
    #expect(stored.timestamps == generator.timestamps(files: files), sourceLocation: sourceLocation)
    return stored
  }

  /// Expects the report's `landed` object to say that `samples` samples in `series` series were
  /// all found through `storage`.
  static func expectLanded(
    _ report: [String: Any], samples: Int, series: Int, in storage: VictoriaMetricsServer,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let landed = report["landed"] as? [String: Any]
    #expect(landed?["checked"] as? Bool == true, sourceLocation: sourceLocation)
    #expect(landed?["passed"] as? Bool == true, sourceLocation: sourceLocation)
    #expect(landed?["expected_samples"] as? Int == samples, sourceLocation: sourceLocation)
    #expect(landed?["found_samples"] as? Int == samples, sourceLocation: sourceLocation)
    #expect(landed?["series"] as? Int == series, sourceLocation: sourceLocation)
    #expect((landed?["differences"] as? [Any])?.isEmpty == true, sourceLocation: sourceLocation)
    #expect(
      landed?["query_url"] as? String == storage.url + "/api/v1/export",
      sourceLocation: sourceLocation)
  }

  /// Requests VictoriaMetrics has answered on its JSON-lines import endpoint.
  static func importRequests(_ storage: VictoriaMetricsServer) throws -> Double {
    try storage.metricSum("vm_http_requests_total", labels: "path=\"/api/v1/import\",")
  }

  @Test func generatedExportThroughVmagentLandsSampleForSample() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      // Two metrics with divisors (1024 and 1000), so that scaled values make the trip too.
      let (path, generator) = try Self.export(files: 6, start: 1_736_121_600, in: scratch) {
        $0.resources[0].metricIDs += [311, 429]
      }
      let total = 6 * 2 * 15 * 282
      #expect(generator.profile.totalSamples == total)
      let command = ["import", "--url", agent.url, "--query-url", storage.url, "--json", path]
      let report = try Self.expectReport(BinaryRunner.run(command), status: 0)
      #expect(report["files_total"] as? Int == 6)
      #expect(report["files_ok"] as? Int == 6)
      #expect(report["files_failed"] as? Int == 0)
      #expect(report["samples_sent"] as? Int == total)
      #expect(report["series"] as? Int == 282)
      #expect(report["batches_sent"] as? Int == 6)
      #expect(report["batches_retried"] as? Int == 0)
      #expect(report["batches_failed"] as? Int == 0)
      #expect(report["batches_spooled"] as? Int == 0)
      #expect(report["batches_by_target"] as? [String: Int] == [agent.url: 6])
      #expect(report["all_delivered"] as? Bool == true)
      #expect((report["failures"] as? [Any])?.isEmpty == true)
      Self.expectLanded(report, samples: total, series: 282, in: storage)

      #expect(Set(generator.seriesByPosition(Self.catalog)).count == 282)
      let stored = try Self.expectStoredExactly(
        generator, files: Array(0..<6), in: storage, through: agent)
      let metrics = generator.metricsByPosition()
      let throughput = try #require(metrics.firstIndex(of: 311))
      let latency = try #require(metrics.firstIndex(of: 429))
      let chosen = [
        generator.sample(file: 0, block: 0, row: 0, position: 0, catalog: Self.catalog),
        generator.sample(file: 3, block: 1, row: 7, position: throughput, catalog: Self.catalog),
        generator.sample(file: 5, block: 1, row: 14, position: latency, catalog: Self.catalog),
      ]
      // The first is stored as the array wrote it; the others are divided by 1024 and by 1000.
      #expect(chosen.map(\.series.name) == [
        "huawei_max_bandwidth_mb_s", "huawei_throughput_mb_s",
        "huawei_max_latency_for_operations_ms",
      ])
      for sample in chosen {
        #expect(stored.value(sample.series, at: sample.milliseconds) == sample.value)
      }
      #expect(chosen[1].value != chosen[1].value.rounded())
      #expect(chosen[2].value != chosen[2].value.rounded())
    }
  }

  @Test func theSampleExportLands280SeriesAnd67200Samples() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
      let command = ["import", "--url", agent.url, "--query-url", storage.url, "--json", path]
      let report = try Self.expectReport(BinaryRunner.run(command), status: 0)
      #expect(report["files_total"] as? Int == 8)
      #expect(report["files_ok"] as? Int == 8)
      #expect(report["samples_sent"] as? Int == 67_200)
      #expect(report["series"] as? Int == 280)
      Self.expectLanded(report, samples: 67_200, series: 280, in: storage)
      // The checks that passed are in the report too, warnings and all.
      let preflight = try #require(report["preflight"] as? [String: Any])
      #expect(preflight["passed"] as? Bool == true)
      let checks = preflight["checks"] as? [[String: String]] ?? []
      #expect(checks.map { $0["name"] ?? "" } == [
        "inputs", "target \(agent.url)", "retention", "deduplication", "line length",
      ])
      #expect(checks.map { $0["status"] ?? "" } == ["ok", "ok", "ok", "warning", "ok"])

      let stored = try StoredSamples.read(
        serial: "2102350TST10KA000042", from: storage, through: agent, expecting: 67_200)
      #expect(stored.series.count == 280)
      #expect(stored.values.values.allSatisfy { $0.count == 240 })
      #expect(stored.count == 67_200)
      #expect(stored.distinctCount == 67_200)
      // Eight half-hour files of one-minute rows from 2025-09-25 00:00 UTC.
      #expect(stored.timestamps == Set((0..<240).map { 1_758_758_400_000 + Int64($0) * 60_000 }))
    }
  }

  @Test func aTargetWhereNothingListensIsNotSaidToBeAVmagent() throws {
    // An import target may be a vmagent or a VictoriaMetrics: nothing answered to tell which.
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
    let url = "http://127.0.0.1:\(port)"
    let refused = try BinaryRunner.run(["import", "--url", url, "--json", path])
    let preflight = try Self.expectReport(refused, status: 1)["preflight"] as? [String: Any]
    let checks = preflight?["checks"] as? [[String: String]] ?? []
    let target = try #require(checks.first { $0["name"] == "target \(url)" })
    #expect(target["status"] == "failed")
    #expect(
      target["message"]
        == "connection_refused: 127.0.0.1 answered, but nothing accepts connections on port "
        + "\(port): vmagent or VictoriaMetrics is not running there, or it listens on another "
        + "address or port (its -httpListenAddr). Next: ss -ltnp 'sport = :\(port)'")
  }

  @Test func truncatedFileInAFolderIsRefusedThenLeftOutWithSkipCorrupt() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (generator, folder, damaged) = try Self.folderExport(start: 1_737_849_600, in: scratch)
      let profile = generator.profile
      let bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
      let kept = bytes.count / 2
      try bytes.prefix(kept).write(to: URL(fileURLWithPath: damaged))
      let reason = "truncated at offset \(kept): the gzip stream ends inside the compressed data "
        + "of member 1"

      let refused = try BinaryRunner.run(["import", "--url", storage.url, "--json", folder])
      #expect(refused.stderr.hasSuffix("arraytool: error: preflight failed: nothing was sent\n"))
      let preflight = try Self.expectReport(refused, status: 1)["preflight"] as? [String: Any]
      #expect(preflight?["passed"] as? Bool == false)
      let checks = preflight?["checks"] as? [[String: String]] ?? []
      #expect(checks.first?["name"] == "inputs")
      #expect(checks.first?["status"] == "failed")
      #expect(checks.dropFirst().allSatisfy { $0["status"] != "failed" })
      let problems = preflight?["problems"] as? [[String: Any]] ?? []
      #expect(problems.map { $0["path"] as? String } == [damaged])
      #expect(problems.first?["kind"] as? String == "truncated")
      #expect(problems.first?["offset"] as? Int == kept)
      #expect(try Self.importRequests(storage) == 0)
      let stored = try StoredSamples.read(serial: profile.serial, from: storage, expecting: 0)
      #expect(stored.count == 0)

      let report = try Self.expectReport(
        BinaryRunner.run(["import", "--url", storage.url, "--skip-corrupt", "--json", folder]),
        status: 1)
      #expect(report["files_total"] as? Int == 4)
      #expect(report["files_ok"] as? Int == 3)
      #expect(report["files_failed"] as? Int == 1)
      #expect(report["samples_sent"] as? Int == 3 * 8400)
      #expect(report["batches_failed"] as? Int == 0)
      #expect(report["batches_spooled"] as? Int == 0)
      let failures = report["failures"] as? [[String: Any]] ?? []
      #expect(failures.map { $0["file"] as? String } == [damaged])
      #expect(failures.first?["reason"] as? String == reason + " (left out by the preflight)")
      #expect(failures.first?["member"] is NSNull)
      try Self.expectStoredExactly(generator, files: [0, 2, 3], in: storage)
    }
  }

  /// Without a preflight, a file whose gzip CRC-32 does not match (found at its end, after every
  /// row was read) sends none of its samples: a damaged value reads like any other. Importing
  /// an intact copy then sends that file alone, once.
  @Test func aFileWhoseChecksumFailsSendsNothingWithoutAPreflight() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (generator, folder, damaged) = try Self.folderExport(start: 1_737_936_000, in: scratch)
      let profile = generator.profile
      let intact = try Data(contentsOf: URL(fileURLWithPath: damaged))
      // One value of the last row changed, under the CRC-32 of the file as it was.
      let name = generator.baseName(1) + ".dat"
      let original = TarWriter.archive(
        name: name, bytes: generator.dat(1), modified: profile.fileStart(1))
      var dat = generator.dat(1)
      dat[dat.count - 3] ^= 0x01
      var gzip = Gzip.compress(
        TarWriter.archive(name: name, bytes: dat, modified: profile.fileStart(1)), level: 6)
      let crc = CRC32.checksum(original)
      for index in 0..<4 { gzip[gzip.count - 8 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
      try Data(gzip).write(to: URL(fileURLWithPath: damaged))
      let state = ImportFaultTests.sharedState(scratch)

      let report = try Self.expectReport(
        BinaryRunner.run(
          ["import", "--no-preflight", "--url", storage.url, "--json", folder], environment: state),
        status: 1)
      let counts = ["files_total", "files_ok", "files_failed", "samples_sent"].map { report[$0] as? Int }
      #expect(counts == [4, 3, 1, 3 * 8400])
      let failures = report["failures"] as? [[String: Any]] ?? []
      #expect(failures.map { $0["file"] as? String } == [damaged])
      #expect(failures.first?["samples"] as? Int == 8400)
      let reason = failures.first?["reason"] as? String ?? ""
      #expect(reason.hasPrefix("crc_mismatch at offset "))
      #expect(reason.hasSuffix(
        "; none of its 8,400 samples was sent, as no value read from it can be trusted"))
      Self.expectLanded(report, samples: 3 * 8400, series: 280, in: storage)
      try Self.expectStoredExactly(generator, files: [0, 2, 3], in: storage)

      try intact.write(to: URL(fileURLWithPath: damaged))
      let again = try Self.expectReport(
        BinaryRunner.run(["import", "--url", storage.url, "--json", folder], environment: state),
        status: 0)
      #expect(again["samples_sent"] as? Int == 8400)
      try Self.expectStoredExactly(generator, files: [0, 1, 2, 3], in: storage)
    }
  }

  /// A zip cut before its central directory lists no file at all: with --skip-corrupt it is
  /// left out like a damaged file, and the import says that not everything was delivered
  /// rather than 'all samples delivered' over nothing.
  @Test func aZipCutBeforeItsListingIsAnInputNotDelivered() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try Self.export(files: 2, start: 1_737_849_600, in: scratch)
      let whole = try Data(contentsOf: URL(fileURLWithPath: path))
      let cut = scratch.path + "/cut.zip"
      try whole.prefix(whole.count - 30).write(to: URL(fileURLWithPath: cut))
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]

      let aloneRun = try BinaryRunner.run(
        ["import", "--url", storage.url, "--skip-corrupt", "--json", cut], environment: state)
      #expect(aloneRun.stderr.contains(
        "  warn inputs: 1 problem in 1 file, 0 bytes, 0 checksums matched; the damaged files are "
          + "left out (--skip-corrupt)\n"))
      let alone = try Self.expectReport(aloneRun, status: 1)
      #expect(alone["verdict"] as? String == "NOT everything was delivered")
      #expect(alone["all_delivered"] as? Bool == false)
      #expect(alone["files_total"] as? Int == 1)
      #expect(alone["files_failed"] as? Int == 1)
      #expect(alone["samples_sent"] as? Int == 0)
      let failures = alone["failures"] as? [[String: Any]] ?? []
      #expect(failures.map { $0["file"] as? String } == [cut])

      let beside = try Self.expectReport(
        BinaryRunner.run(
          ["import", "--url", storage.url, "--skip-corrupt", "--json", cut, path],
          environment: state),
        status: 1)
      #expect(beside["files_total"] as? Int == 3)
      #expect(beside["files_ok"] as? Int == 2)
      #expect(beside["files_failed"] as? Int == 1)
      #expect(beside["samples_sent"] as? Int == 2 * 8400)
    }
  }

  @Test func unresolvablePrimaryHandsEveryBatchToTheFallback() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try Self.export(files: 2, start: 1_737_244_800, in: scratch)
      let result = try BinaryRunner.run([
        "import", "--url", "http://vmagent.invalid:8429", "--fallback-url", storage.url,
        "--query-url", storage.url, "--retry-delay", "0.05", "--json", path,
      ])
      let report = try Self.expectReport(result, status: 0)
      #expect(report["files_ok"] as? Int == 2)
      #expect(report["samples_sent"] as? Int == 16_800)
      #expect(report["batches_sent"] as? Int == 2)
      // Each batch took two attempts: the primary once, then the fallback.
      #expect(report["batches_retried"] as? Int == 2)
      #expect(report["batches_spooled"] as? Int == 0)
      #expect(report["batches_by_target"] as? [String: Int] == [storage.url: 2])
      #expect(report["targets"] as? [String] == ["http://vmagent.invalid:8429/api/v1/import"])
      Self.expectLanded(report, samples: 16_800, series: 280, in: storage)
      let handover = "goes to fallback \(storage.url): the name vmagent.invalid does not exist (DNS)"
      let handovers = result.stderr.split(separator: "\n").filter { $0.contains("goes to fallback") }
      #expect(handovers.count == 2)
      #expect(handovers.allSatisfy { $0.hasSuffix(handover) })

      try Self.expectStoredExactly(generator, files: [0, 1], in: storage)
    }
  }

  @Test func exportOlderThanTheRetentionIsRefusedWithTheCutOff() throws {
    // -retentionPeriod=1 is one month, which VictoriaMetrics counts as 31 days.
    try VictoriaMetricsServer.withVictoriaMetrics(retention: "1") { storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try Self.export(files: 2, start: 1_578_268_800, in: scratch)
      let before = Date()
      let result = try BinaryRunner.run(["import", "--url", storage.url, "--json", path])
      let after = Date()
      let report = try Self.expectReport(result, status: 1)
      #expect(report["samples_sent"] as? Int == 0)
      let preflight = report["preflight"] as? [String: Any]
      #expect(preflight?["passed"] as? Bool == false)
      let checks = preflight?["checks"] as? [[String: String]] ?? []
      #expect(checks.map { $0["name"] ?? "" } == [
        "inputs", "target \(storage.url)", "retention", "deduplication", "line length",
      ])
      #expect(checks.map { $0["status"] ?? "" } == ["ok", "ok", "failed", "warning", "ok"])
      let message = checks.first { $0["name"] == "retention" }?["message"] ?? ""
      let prefix = "16,800 samples in 2 files are older than "
      let suffix = " UTC, the cut-off of -retentionPeriod=1 (months): VictoriaMetrics would drop them "
        + "without an error. Raise -retentionPeriod on the server, or import a folder of only the "
        + "files newer than that"
      #expect(message.hasPrefix(prefix) && message.hasSuffix(suffix))
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
      let cutOff = try #require(
        formatter.date(from: String(message.dropFirst(prefix.count).dropLast(suffix.count))))
      let month = 31 * 86_400.0
      #expect(cutOff >= before.addingTimeInterval(-month - 1))
      #expect(cutOff <= after.addingTimeInterval(-month))
      #expect(result.stderr.contains("\n  FAIL retention: " + prefix))
      #expect(try Self.importRequests(storage) == 0)
      let serial = ExportProfile().serial
      #expect(try StoredSamples.read(serial: serial, from: storage, expecting: 0).count == 0)
    }
  }
}
