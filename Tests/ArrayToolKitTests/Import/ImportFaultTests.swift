// `arraytool import` through real faults: a target that is not there, Ctrl-C, vmagent restarted
// and VictoriaMetrics stopped in the middle. After each, the test reads back what
// VictoriaMetrics holds (deduplication off) and expects every sample exactly once.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

/// Imports that meet a fault and still deliver every sample once.
@Suite(.serialized) struct ImportFaultTests {
  /// A state folder (journal and spool) that consecutive runs of one test share.
  static func sharedState(_ scratch: ScratchDirectory) -> [String: String] {
    ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
  }

  /// Imports `path` one batch at a time to `dead`, a port nothing accepts on, so that every
  /// batch goes to the spool of `sharedState(scratch)`; returns the files the spool then holds
  /// (a batch and its record each).
  static func spoolEverything(
    _ path: String, to dead: String, scratch: ScratchDirectory, options: [String] = []
  ) throws -> Int {
    let spooled = try BinaryRunner.run(
      ["import", "--no-preflight", "--url", dead, "--retries", "1", "--jobs", "1",
       "--concurrency", "1"] + options + [path], environment: sharedState(scratch))
    #expect(spooled.status == 1)
    return try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/state/spool").count
  }

  /// Waits until the journal in `state` records a first accepted batch: the import is then past
  /// its preflight, handles Ctrl-C, and has most of its requests still to make. (VictoriaMetrics'
  /// own request counter showed the first request more than half a second late.)
  static func waitForFirstAcceptedBatch(_ state: [String: String], timeout: Double = 60) throws {
    let journal = (state["ARRAYTOOL_STATE_DIR"] ?? "") + "/journal"
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      // The journal has a folder per target; only a non-empty journal file in one counts (a
      // folder's own size is never zero).
      let names = (FileManager.default.enumerator(atPath: journal)?.allObjects as? [String]) ?? []
      let sizes = names.filter { $0.hasSuffix(".journal") }.compactMap {
        try? FileManager.default.attributesOfItem(atPath: journal + "/" + $0)[.size] as? Int
      }
      if sizes.contains(where: { $0 > 0 }) { return }
      guard Date() < deadline else {
        throw RunningBinary.WaitFailure(description: "nothing was journalled in \(journal)")
      }
      usleep(10_000)
    }
  }

  /// Options that make an import slow enough (a second or two for 16 files) to be hit in
  /// the middle: 80 requests a file, one at a time.
  static let slowly = ["--batch-samples", "100", "--concurrency", "1", "--jobs", "1"]

  @Test func spooledWhileTheTargetIsDownThenReplayedAndNeverSentTwice() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 3, start: 1_736_640_000, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let state = Self.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    let command = [
      "import", "--no-preflight", "--url", "http://127.0.0.1:\(closedPort)", "--retries", "2",
      "--retry-delay", "0.05", "--concurrency", "1", "--jobs", "1", path,
    ]

    let first = try BinaryRunner.run(command, environment: state)
    #expect(first.status == 1)
    let lines = first.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "import: NOT everything was delivered")
    #expect(lines.contains(
      "  files:       3/3 processed, 0 imported, 0 failed, 3 with batches spooled"))
    #expect(lines.contains("  samples:     0 sent, 25,200 spooled; the inputs hold 280 series"))
    // One batch at a time: the first is retried; once it is spooled the target counts as
    // down, so each of the two others gets a single try.
    #expect(lines.contains("  batches:     0 sent, 1 retried, 0 failed, 3 spooled"))
    #expect(lines.filter { $0.hasSuffix("after 2 attempts: connection refused by 127.0.0.1:\(closedPort)") }.count == 1)
    #expect(lines.filter { $0.hasSuffix("after 1 attempt: connection refused by 127.0.0.1:\(closedPort)") }.count == 2)
    #expect(lines.suffix(2) == [
      "  25,200 samples are kept in \(spool); send them with:",
      "    arraytool import --replay \(spool)",
    ])
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool).count == 6)

    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let replay = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url, "--json"], environment: state)
      let report = try ImportIntegrationTests.expectReport(replay, status: 0)
      #expect(report["batches_total"] as? Int == 3)
      #expect(report["batches_sent"] as? Int == 3)
      #expect(report["samples_sent"] as? Int == 25_200)
      #expect(report["batches_left"] as? Int == 0)
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      try ImportIntegrationTests.expectStoredExactly(
        generator, files: [0, 1, 2], in: storage)

      // The import again to the server that took the replay: its journal knows every batch,
      // so nothing is sent. (Before, the replay went on record with the dead target, and this
      // sent everything a second time.) The files are read to know that, and are then on
      // record as whole: a third run does not read them.
      let toStorage = command.map { $0 == "http://127.0.0.1:\(closedPort)" ? storage.url : $0 }
      let again = try BinaryRunner.run(toStorage, environment: state)
      #expect(again.status == 0)
      #expect(again.stderr == "arraytool: checking that the samples landed in \(storage.url)\n")
      let text = again.stdout.split(separator: "\n").map(String.init)
      #expect(text.first == "import: all samples delivered")
      // Nothing of them was imported by this run: they are named as imported before, as a run
      // that finds them whole on record names them.
      #expect(text.contains(
        "  files:       3/3 processed, 0 imported, 0 failed, 3 imported before (journal)"))
      #expect(text.contains(
        "  samples:     0 sent, 25,200 sent before (journal); the inputs hold 280 series"))
      #expect(text.last?.hasPrefix("  landed:      all 25,200 samples landed in 280 series") == true)
      let third = try BinaryRunner.run(toStorage, environment: state)
      #expect(third.status == 0)
      #expect(third.stdout.contains(
        "  files:       3/3 processed, 0 imported, 0 failed, 3 imported before (journal)\n"))
      try ImportIntegrationTests.expectStoredExactly(
        generator, files: [0, 1, 2], in: storage)

      // The first command again: the dead target never got the samples, and they are no
      // longer in the spool, so they are tried and spooled again rather than called waiting.
      let dead = try BinaryRunner.run(command + ["--json"], environment: state)
      let deadReport = try ImportIntegrationTests.expectReport(dead, status: 1)
      #expect(deadReport["samples_waiting_in_spool"] as? Int == 0)
      #expect(deadReport["samples_spooled"] as? Int == 25_200)
      #expect(deadReport["files_skipped"] as? Int == 0)
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool).count == 6)
    }
  }

  /// A replay against a target that does not answer: the first batch uses its retries, the
  /// others try once, as in an import. Before, each of them waited through all six attempts.
  @Test func aReplayToADeadTargetTriesEachLaterBatchOnce() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try ImportIntegrationTests.export(files: 8, start: 1_736_726_400, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let dead = "http://127.0.0.1:\(closedPort)"
    let state = Self.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    #expect(try Self.spoolEverything(path, to: dead, scratch: scratch) == 16)

    let started = Date()
    let replay = try BinaryRunner.run(
      ["import", "--replay", spool, "--url", dead, "--retry-delay", "0.2", "--json"],
      environment: state)
    let seconds = Date().timeIntervalSince(started)
    let report = try ImportIntegrationTests.expectReport(replay, status: 1)
    #expect(report["batches_total"] as? Int == 8)
    #expect(report["batches_sent"] as? Int == 0)
    #expect(report["batches_left"] as? Int == 8)
    #expect(report["samples_left"] as? Int == 8 * 8400)
    let retries = replay.stderr.split(separator: "\n").filter { $0.contains(": retry ") }
    #expect(retries.count == 5)
    #expect(retries.first?.hasPrefix("arraytool: retry 2/6 in ") == true)
    // Delays of 0.2, 0.4, 0.8, 1.6 and 3.2 s at most, jittered: well under the 8 × 6.2 s that
    // six attempts for every batch would take.
    #expect(seconds < 12)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool).count == 16)
  }

  @Test func interruptedImportContinuesWhereItStoppedWithoutDuplicates() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try ImportIntegrationTests.export(
        files: 16, start: 1_738_454_400, in: scratch)
      let total = 16 * 8400
      let state = Self.sharedState(scratch)
      let command = ["import", "--url", storage.url, "--json"] + Self.slowly + [path]

      let running = try BinaryRunner.start(command, environment: state)
      try Self.waitForFirstAcceptedBatch(state)
      running.interrupt()
      let first = running.wait()
      #expect(first.stderr.contains(
        "arraytool: interrupted: finishing the batches in flight; press Ctrl-C again to spool "
          + "them now"))
      let stopped = try ImportIntegrationTests.expectReport(first, status: 130)
      #expect(stopped["interrupted"] as? Bool == true)
      #expect(
        stopped["verdict"] as? String == "interrupted; run the same command again to continue")
      #expect(stopped["all_delivered"] as? Bool == false)
      #expect(stopped["batches_failed"] as? Int == 0)
      #expect(stopped["batches_spooled"] as? Int == 0)
      #expect(stopped["landed"] is NSNull)
      let sentBefore = try #require(stopped["samples_sent"] as? Int)
      #expect(sentBefore > 0 && sentBefore < total)

      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      #expect(report["interrupted"] as? Bool == false)
      #expect(report["files_total"] as? Int == 16)
      #expect(report["files_failed"] as? Int == 0)
      let skipped = try #require(report["files_skipped"] as? Int)
      #expect(skipped + (report["files_ok"] as? Int ?? -1) == 16)
      // The file cut off is no file imported: the first run's imported files are those the
      // second one skips. (Before, it counted as imported once one of its batches was sent.)
      #expect(stopped["files_ok"] as? Int == skipped)
      #expect(stopped["files_interrupted"] as? Int == 1)
      // What the first run delivered is exactly what the second one leaves out, whole files
      // and the delivered part of the file it was in, and what it says was sent before.
      #expect(skipped * 8400 + (report["samples_skipped"] as? Int ?? -1) == sentBefore)
      #expect(report["samples_sent_before"] as? Int == sentBefore)
      #expect(report["samples_sent"] as? Int == total - sentBefore)
      ImportIntegrationTests.expectLanded(report, samples: total, series: 280, in: storage)

      // Every file skipped: all of what the journal has on record was sent before. (Before,
      // only the samples of files cut off counted, here none.)
      let third = try BinaryRunner.run(command.filter { $0 != "--json" }, environment: state)
      #expect(third.status == 0)
      let lines = third.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first == "import: all samples delivered")
      #expect(lines.dropFirst().prefix(2) == [
        "  files:       16/16 processed, 0 imported, 0 failed, 16 imported before (journal)",
        "  samples:     0 sent, 134,400 sent before (journal); the inputs hold 280 series",
      ])

      try ImportIntegrationTests.expectStoredExactly(
        generator, files: Array(0..<16), in: storage)
    }
  }

  @Test func vmagentRestartedDuringTheImportLosesNothing() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try ImportIntegrationTests.export(
        files: 16, start: 1_739_059_200, in: scratch)
      let total = 16 * 8400
      let state = Self.sharedState(scratch)
      let running = try BinaryRunner.start(
        ["import", "--url", agent.url, "--query-url", storage.url, "--retries", "8",
         "--retry-delay", "0.2", "--retry-max-delay", "1", "--json"] + Self.slowly + [path],
        environment: state)
      try Self.waitForFirstAcceptedBatch(state)
      // vmagent is stopped between two requests of the import. Stopped while a request has
      // just arrived, it may store the samples yet close the connection unanswered (Go's
      // graceful shutdown closes connections it deems idle); the import then sends the batch
      // again, and without deduplication the batch is stored twice. That is what delivery at
      // least once means, and the landed check reports it; it is not what this test is about.
      running.freeze()
      try agent.waitForSteadyMetric("vmagent_rows_inserted_total", labels: "type=\"vmimport\"")
      // SIGTERM, as a service manager stops it: vmagent writes what it holds in memory to its
      // on-disk queue first. (After a SIGKILL, samples it had acknowledged but not yet queued
      // are gone; the landed check would report them, but they could not be counted on.)
      agent.halt()
      running.proceed()
      // vmagent comes back once the import has met the closed port and is retrying.
      try running.waitForStderr(containing: "connection refused by 127.0.0.1:\(agent.port)")
      try agent.resume()
      let result = running.wait()
      let report = try ImportIntegrationTests.expectReport(result, status: 0)
      #expect(report["samples_sent"] as? Int == total)
      #expect(report["batches_sent"] as? Int == 16 * 80)
      #expect(report["batches_failed"] as? Int == 0)
      #expect(report["batches_spooled"] as? Int == 0)
      // Which batches met the closed port depends on timing; at least one did.
      #expect((report["batches_retried"] as? Int ?? 0) > 0)
      ImportIntegrationTests.expectLanded(report, samples: total, series: 280, in: storage)

      try ImportIntegrationTests.expectStoredExactly(
        generator, files: Array(0..<16), in: storage, through: agent)
    }
  }

  @Test func samplesQueuedInVmagentWhileVictoriaMetricsIsDownLandWhenItIsBack() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try ImportIntegrationTests.export(
        files: 4, start: 1_739_664_000, in: scratch)
      let total = 4 * 8400
      storage.halt()
      let running = try BinaryRunner.start(
        ["import", "--url", agent.url, "--query-url", storage.url, "--json", path])
      // vmagent takes every sample and fails to pass them on; the import meanwhile waits in its
      // landed check for them to arrive.
      try agent.waitForMetric(
        "vmagent_rows_inserted_total", labels: "type=\"vmimport\"", above: Double(total - 1))
      try agent.waitForMetric("vmagent_remotewrite_errors_total", above: 0)
      #expect(running.isRunning)
      try storage.resume()
      let result = running.wait()
      let report = try ImportIntegrationTests.expectReport(result, status: 0)
      #expect(report["samples_sent"] as? Int == total)
      #expect(report["batches_by_target"] as? [String: Int] == [agent.url: 4])
      #expect(report["batches_retried"] as? Int == 0)
      ImportIntegrationTests.expectLanded(report, samples: total, series: 280, in: storage)
      #expect(result.stderr.contains(
        "  warn server flags: cannot read \(storage.url)/flags: retention and deduplication were "
          + "not checked"))

      try ImportIntegrationTests.expectStoredExactly(
        generator, files: Array(0..<4), in: storage, through: agent)
    }
  }
}
