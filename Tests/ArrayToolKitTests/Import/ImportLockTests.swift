// Two runs on one state folder at once: the second must not start, or both send everything
// (the tester stored 8,160,000 samples of 4,080,000 with two imports side by side).

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportLockTests {
  @Test func aSecondImportOrReplayOnTheSameStateFolderDoesNotStart() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try ImportIntegrationTests.export(
        files: 16, start: 1_739_232_000, in: scratch)
      let state = ImportFaultTests.sharedState(scratch)
      let folder = scratch.path + "/state"
      let command = ["import", "--url", storage.url, "--json"] + ImportFaultTests.slowly + [path]

      let running = try BinaryRunner.start(command, environment: state)
      try ImportFaultTests.waitForFirstAcceptedBatch(state)
      let busy = "arraytool: error: state folder \(folder) is in use by another arraytool import or "
        + "replay (pid \(running.pid)): wait for it to end, or give this run its own folder "
        + "with ARRAYTOOL_STATE_DIR\n"
      let second = try BinaryRunner.run(command, environment: state)
      #expect(second.status == 2)
      #expect(second.stdout == "")
      #expect(second.stderr == busy)
      let replay = try BinaryRunner.run(
        ["import", "--replay", folder + "/spool", "--url", storage.url], environment: state)
      #expect(replay.status == 2)
      #expect(replay.stderr == busy)

      let first = try ImportIntegrationTests.expectReport(running.wait(), status: 0)
      #expect(first["samples_sent"] as? Int == 16 * 8400)
      try ImportIntegrationTests.expectStoredExactly(
        generator, files: Array(0..<16), in: storage)

      // The lock went with the run: the same import now starts, and sends nothing again.
      let after = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      #expect(after["samples_sent"] as? Int == 0)
      #expect(after["files_skipped"] as? Int == 16)
    }
  }

  @Test func theLockNamesNoPIDItCannotRead() throws {
    let scratch = try ScratchDirectory()
    let folder = scratch.path + "/state"
    let held = try StateLock.acquire(folder: folder)
    // Emptied as a run that has just taken the lock leaves it for a moment.
    try Data().write(to: URL(fileURLWithPath: held.path))
    #expect(throws: StateFolderInUse(folder: folder, pid: nil)) {
      try StateLock.acquire(folder: folder)
    }
    held.release()
    let again = try StateLock.acquire(folder: folder)
    #expect(try String(contentsOfFile: again.path, encoding: .utf8) == "\(getpid())\n")
  }
}
