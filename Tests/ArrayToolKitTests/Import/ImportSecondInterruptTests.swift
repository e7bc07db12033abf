// A second Ctrl-C during an import to a target that accepts connections and never answers: the
// requests in flight are cancelled, the batches still queued go to the spool unsent, and the run
// ends at once instead of waiting --timeout for each of them.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportSecondInterruptTests {
  /// Starts the binary with no signal blocked, as a shell starts it: the test runner's threads
  /// block signals, and a child would inherit that mask, under which a signal lost to an
  /// ignored disposition is kept pending instead.
  static let unblockedSignals = [
    "/usr/bin/python3", "-c",
    "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
      + "os.execv(sys.argv[1], sys.argv[1:])",
  ]

  @Test func aSecondInterruptSpoolsTheQueuedBatchesWithoutSendingThem() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let scratch = try ScratchDirectory()
    let (path, _) = try ImportIntegrationTests.export(files: 8, start: 1_739_404_800, in: scratch)
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    let running = try BinaryRunner.start(
      ["import", "--no-preflight", "--url", server.url, "--timeout", "10", "--concurrency", "2",
       "--jobs", "1", "--batch-samples", "1000", "--json", path],
      environment: state, launcher: Self.unblockedSignals)
    // Both requests wait on the server; the queue behind them is full.
    try server.waitForHeldConnections(2)
    running.interrupt()
    try running.waitForStderr(containing: "arraytool: interrupted: finishing the batches")
    let second = Date()
    running.interrupt()
    let result = running.wait()
    let seconds = Date().timeIntervalSince(second)
    // Before, each queued batch was still sent and waited the full 10 s.
    #expect(seconds < 3, "took \(seconds) s after the second interrupt")
    let report = try ImportIntegrationTests.expectReport(result, status: 130)
    #expect(report["interrupted"] as? Bool == true)
    #expect(report["samples_sent"] as? Int == 0)
    #expect(report["batches_failed"] as? Int == 0)

    let lines = result.stderr.split(separator: "\n").map(String.init)
    let cancelled = ": cancelled: the run was interrupted a second time"
    // The requests in flight had sent their bodies: the server may hold them.
    let mayBeStored = " (\(DeliveryFailure.mayBeStoredNote))"
    let inFlight = lines.filter { $0.hasSuffix("after 1 attempt" + cancelled + mayBeStored) }
    let queued = lines.filter { $0.hasSuffix("after 0 attempts" + cancelled) }
    #expect(inFlight.count == 2, "\(lines)")
    #expect(queued.count >= 2)
    #expect(server.heldConnections == 2)

    // Every batch is in the spool, and on record in the target's journal as spooled there.
    let entries = try ImportSpool(directory: spool).contents().entries
    #expect(try ImportSpool(directory: spool).contents().problems == [])
    #expect(report["batches_spooled"] as? Int == inFlight.count + queued.count)
    #expect(entries.count == inFlight.count + queued.count)
    #expect(entries.filter { $0.record.mayBeStored }.count == inFlight.count)
    #expect(report["samples_spooled"] as? Int == entries.reduce(0) { $0 + $1.record.samples })
    let target = try ImportTarget(base: server.url)
    let journal = try ImportJournal(
      directory: scratch.path + "/state/journal/" + ImportJournal.folderName(for: target))
    for entry in entries {
      let spooled = journal.spoolState(
        archive: entry.record.archiveSHA256, member: entry.record.member).spooled
      #expect(Set(entry.record.pieces).isSubset(of: Set(spooled)), "\(entry.dataPath)")
    }
  }

  /// Interrupts twice an import of 8 files of one block (one batch each) to a target that never
  /// answers: files 0 and 1 are in flight, 2 and 3 queued, 4 decoded and waiting for room, and
  /// nothing else is read. Returns the run's result, the export and the spool folder.
  static func interruptTwiceWithFiveFilesSpooled(_ options: [String]) throws
    -> (result: BinaryResult, path: String, generator: ExportGenerator, spool: String)
  {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 8, start: 1_739_491_200, in: scratch, profile: { $0.blocksPerFile = 1 })
    let running = try BinaryRunner.start(
      ["import", "--no-preflight", "--url", server.url, "--timeout", "10", "--concurrency", "2",
       "--jobs", "1", "--batch-samples", "5000"] + options + [path],
      environment: ImportFaultTests.sharedState(scratch), launcher: unblockedSignals)
    try server.waitForHeldConnections(2)
    // Time for the decoder to fill the queue and wait with the fifth file.
    Thread.sleep(forTimeInterval: 0.5)
    running.interrupt()
    try running.waitForStderr(containing: "arraytool: interrupted: finishing the batches")
    running.interrupt()
    return (running.wait(), path, generator, scratch.path + "/state/spool")
  }

  /// The spooled batches' entries of the report, by file, as `(location, reason)`.
  static func spooledEntries(_ path: String, _ generator: ExportGenerator) -> [(String, String)] {
    (0..<5).map { file in
      // The two in flight had sent their bodies; the three queued behind them had not.
      let attempts = file < 2 ? "1 attempt" : "0 attempts"
      let note = file < 2 ? " (\(DeliveryFailure.mayBeStoredNote))" : ""
      return ("\(path)!\(generator.memberName(file))",
              "4200 samples (block 0) spooled for replay after \(attempts): cancelled: the run "
                + "was interrupted a second time" + note)
    }.sorted { $0.0 < $1.0 }
  }

  /// Files whose batches went to the spool lost nothing: they are not counted as failed, and
  /// their batches are listed as spooled for --replay, not as failures.
  @Test func filesWithSpooledBatchesAreNotFailuresInTheText() throws {
    let (result, path, generator, spool) = try Self.interruptTwiceWithFiveFilesSpooled([])
    #expect(result.status == 130)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    // Running the same command again does not send what is in the spool: the replay is named.
    #expect(lines.first == "import: interrupted with batches spooled; run the same command again "
      + "to continue, and 'arraytool import --replay \(spool)' to send the spooled batches")
    #expect(lines.dropFirst().prefix(3) == [
      "  files:       5/8 processed, 0 imported, 0 failed, 5 with batches spooled",
      "  samples:     0 sent, 21,000 spooled; the inputs hold 280 series",
      "  batches:     0 sent, 0 retried, 0 failed, 5 spooled",
    ])
    #expect(!lines.contains("  failures:"))
    let listed = Array(lines.drop { $0 != "  spooled for --replay:" })
    #expect(listed == ["  spooled for --replay:"]
      + Self.spooledEntries(path, generator).map { "    \($0.0): \($0.1)" }
      + ["  21,000 samples are kept in \(spool); send them with:",
         "    arraytool import --replay \(spool)"])
  }

  /// The replay named in the verdict is told again where to count what may be stored already:
  /// the spool records the targets, not that.
  @Test func filesWithSpooledBatchesAreNotFailuresInTheJSON() throws {
    let (result, path, generator, spool) = try Self.interruptTwiceWithFiveFilesSpooled(
      ["--json", "--query-url", "http://127.0.0.1:9"])
    let report = try ImportIntegrationTests.expectReport(result, status: 130)
    #expect(report["files_total"] as? Int == 8)
    #expect(report["files_ok"] as? Int == 0)
    #expect(report["files_failed"] as? Int == 0)
    #expect(report["files_spooled"] as? Int == 5)
    #expect(report["verdict"] as? String == "interrupted with batches spooled; run the same "
      + "command again to continue, and 'arraytool import --replay \(spool) --query-url "
      + "http://127.0.0.1:9' to send the spooled batches")
    #expect(report["batches_spooled"] as? Int == 5)
    #expect((report["failures"] as? [Any])?.isEmpty == true)
    let spooled = report["spooled_for_replay"] as? [[String: Any]] ?? []
    let expected = Self.spooledEntries(path, generator)
    #expect(spooled.map { "\($0["file"] ?? "")!\($0["member"] ?? "")" } == expected.map(\.0))
    #expect(spooled.map { $0["reason"] as? String } == expected.map(\.1))
    #expect(spooled.map { $0["samples"] as? Int } == Array(repeating: 4200, count: 5))
  }
}
