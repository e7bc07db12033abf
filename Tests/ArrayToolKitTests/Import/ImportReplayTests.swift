// `import --replay` against a real VictoriaMetrics (deduplication off) when the samples in the
// spool reached the target another way meanwhile: they must not be stored a second time.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.serialized) struct ImportReplayTests {
  /// Spooled for a dead target, then imported straight to VictoriaMetrics (in smaller batches,
  /// so the journal's pieces are cut otherwise than the spool's), then replayed there: the
  /// replay finds every line on record and sends nothing.
  @Test func aReplayLeavesOutWhatTheTargetAcceptedSinceItWasSpooled() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 3, start: 1_739_059_200, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let dead = "http://127.0.0.1:\(closedPort)"
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    #expect(try ImportFaultTests.spoolEverything(path, to: dead, scratch: scratch) == 6)

    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let direct = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(
          ["import", "--url", storage.url, "--batch-samples", "1000", "--json", path],
          environment: state),
        status: 0)
      #expect(direct["samples_sent"] as? Int == 25_200)

      let replay = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url, "--json"], environment: state)
      let report = try ImportIntegrationTests.expectReport(replay, status: 0)
      #expect(report["batches_total"] as? Int == 3)
      #expect(report["batches_sent"] as? Int == 0)
      #expect(report["samples_sent"] as? Int == 0)
      #expect(report["batches_already_accepted"] as? Int == 3)
      #expect(report["samples_already_accepted"] as? Int == 25_200)
      #expect(report["batches_left"] as? Int == 0)
      let by = report["already_accepted_by"] as? [[String: Any]]
      #expect(by?.count == 1)
      #expect(by?.first?["target"] as? String == storage.url)
      #expect(by?.first?["batches"] as? Int == 3)
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2], in: storage)

      // The dead target's journal no longer counts them as waiting in the spool: an import to
      // it tries them again (and spools them) instead of calling them waiting.
      let again = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(
          ["import", "--no-preflight", "--url", dead, "--retries", "1", "--json", path],
          environment: state),
        status: 1)
      #expect(again["samples_waiting_in_spool"] as? Int == 0)
      #expect(again["samples_spooled"] as? Int == 25_200)
    }
  }

  /// Spooled for a dead target, then replayed to a VictoriaMetrics that keeps a month: the
  /// samples are older, so it would drop them without an error and the journal would count
  /// them delivered. They stay in the spool, each batch named with the cut-off.
  @Test func aReplayKeepsBatchesOlderThanTheRetentionInTheSpool() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try ImportIntegrationTests.export(files: 3, start: 1_739_232_000, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    #expect(
      try ImportFaultTests.spoolEverything(path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch)
        == 6)
    let spooled = try FileManager.default.contentsOfDirectory(atPath: spool).sorted()

    try VictoriaMetricsServer.withVictoriaMetrics(retention: "1") { storage in
      let replay = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url, "--json"], environment: state)
      let report = try ImportIntegrationTests.expectReport(replay, status: 1)
      let counts = [
        "batches_total", "batches_sent", "batches_left", "batches_too_old",
        "batches_not_delivered", "samples_left",
      ].map { report[$0] as? Int }
      #expect(counts == [3, 0, 3, 3, 0, 25_200])
      let failures = report["failures"] as? [String] ?? []
      #expect(failures.count == 3)
      #expect(failures.allSatisfy {
        $0.contains(": left in the spool: 8400 of its 8400 samples are older than ")
          && $0.hasSuffix(
            " UTC, the cut-off of -retentionPeriod=1 (months) at \(storage.url): VictoriaMetrics "
              + "would drop them without an error. Raise -retentionPeriod there, or replay to a "
              + "server that keeps them")
      })
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool).sorted() == spooled)
      #expect(try ImportIntegrationTests.importRequests(storage) == 0)

      let text = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url], environment: state)
      #expect(text.status == 1)
      #expect(text.stdout.contains(
        "\n  left:        3 batches (25,200 samples on record): 3 older than the retention\n"))
    }
  }

  /// An empty spool sends nothing and says so; a folder of other files is no spool, and a
  /// replay of it is a usage error rather than "all delivered" (a mistyped path in a cron job).
  @Test func anEmptySpoolIsSaidAndAnotherFolderIsRefused() throws {
    let scratch = try ScratchDirectory()
    let empty = scratch.path + "/spool"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    let state = ImportFaultTests.sharedState(scratch)
    let replay = try BinaryRunner.run(
      ["import", "--replay", empty, "--url", "http://127.0.0.1:9"], environment: state)
    #expect(replay.status == 0)
    #expect(replay.stdout.split(separator: "\n").prefix(2).map(String.init) == [
      "replay: the spool holds no batch: nothing to send",
      "  batches:     0/0 delivered (0 samples), 0 left in \(empty)",
    ])

    let (path, _) = try ImportIntegrationTests.export(files: 1, start: 1_739_318_400, in: scratch)
    let folder = (path as NSString).deletingLastPathComponent
    let wrong = try BinaryRunner.run(
      ["import", "--replay", folder, "--url", "http://127.0.0.1:9"], environment: state)
    #expect(wrong.status == 2)
    let others = try FileManager.default.contentsOfDirectory(atPath: folder).count
    #expect(wrong.stdout == "")
    #expect(wrong.stderr.hasPrefix(
      "arraytool: error: \(folder) is not a spool folder: it holds no spooled batch (NAME.json "
        + "records with NAME.jsonl.gz data) but \(others) other files; give the folder an import "
        + "named in its report\n"))
  }

  /// Spooled for VictoriaMetrics while it was down, then sent again with --force once it was
  /// back (which warns that the spool holds them), then replayed: nothing is sent twice.
  @Test func aReplayAfterAForcedImportSendsNothingTwice() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 3, start: 1_739_145_600, in: scratch)
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      storage.halt()
      let down = try BinaryRunner.run(
        ["import", "--no-preflight", "--url", storage.url, "--retries", "1", path],
        environment: state)
      #expect(down.status == 1)
      try storage.resume()

      let refused = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(["import", "--url", storage.url, "--json", path], environment: state),
        status: 1)
      #expect(refused["samples_waiting_in_spool"] as? Int == 25_200)
      #expect(refused["samples_sent"] as? Int == 0)

      let forced = try BinaryRunner.run(
        ["import", "--url", storage.url, "--force", "--json", path], environment: state)
      let report = try ImportIntegrationTests.expectReport(forced, status: 0)
      #expect(report["samples_sent"] as? Int == 25_200)
      let warning = "--force: 25,200 samples of these inputs (3 batches) are still in the spool "
        + "\(spool); this run sends them again, and 'arraytool import --replay \(spool)' to a "
        + "target that has them on record then removes them from the spool without sending them"
      #expect(report["warnings"] as? [String] == [warning])
      #expect(forced.stderr.contains("arraytool: \(warning)\n"))

      let replay = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url], environment: state)
      #expect(replay.status == 0)
      #expect(replay.stdout.split(separator: "\n").prefix(4).map(String.init) == [
        "replay: the spool is empty: its batches were delivered or found held already",
        "  batches:     0/3 delivered (0 samples), 3 already accepted, 0 left in \(spool)",
        "  skipped:     25,200 samples a target already had on record were not sent",
        "    3 batches were already accepted by \(storage.url): removed from the spool, not sent",
      ])
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2], in: storage)
    }
  }
}

/// SIGINT and SIGTERM during a replay: it stops at the next batch, and what it removed from the
/// spool is exactly what the server took, so the next replay sends the rest once.
@Suite(.serialized) struct ImportReplayInterruptTests {
  @Test func anInterruptedReplayContinuesWithoutDuplicates() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 4, start: 1_739_318_400, in: scratch)
    let total = 4 * 8400
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    // 80 batches of 105 samples a file: enough for a replay to be stopped in the middle.
    let batches = try ImportFaultTests.spoolEverything(
      path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch,
      options: ["--batch-samples", "100"]) / 2
    #expect(batches == 4 * 80)

    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let command = ["import", "--replay", spool, "--url", storage.url, "--json"]
      var sent = 0
      var left = batches
      for signal in ["SIGINT", "SIGTERM"] {
        let running = try BinaryRunner.start(command, environment: state)
        try running.waitForStderr(containing: "arraytool: replayed ")
        if signal == "SIGINT" { running.interrupt() } else { running.terminate() }
        let stopped = running.wait()
        #expect(stopped.stderr.contains(
          "arraytool: interrupted: finishing the batch in flight; press Ctrl-C again to cancel "
            + "it (it stays in the spool)\n"), "\(signal)")
        let report = try ImportIntegrationTests.expectReport(stopped, status: 130)
        #expect(report["interrupted"] as? Bool == true)
        let batchesSent = try #require(report["batches_sent"] as? Int)
        let samplesSent = try #require(report["samples_sent"] as? Int)
        #expect(batchesSent > 0 && samplesSent == batchesSent * 105)
        #expect(report["batches_left"] as? Int == left - batchesSent)
        #expect(report["samples_left"] as? Int == total - sent - samplesSent)
        #expect(report["batches_total"] as? Int == left)
        sent += samplesSent
        // Every batch the server took left the spool, and only those.
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).count
          == 2 * (left - batchesSent))
        left -= batchesSent
      }
      let rest = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      #expect(rest["samples_sent"] as? Int == total - sent)
      #expect(rest["batches_already_accepted"] as? Int == 0)
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2, 3], in: storage)
    }
  }
}
