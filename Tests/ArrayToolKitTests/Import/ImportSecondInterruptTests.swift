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
    let mayBeStored =
      " (a request was cut off after its body went out: it may be stored already, and --replay "
      + "checks before sending it)"
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
}
