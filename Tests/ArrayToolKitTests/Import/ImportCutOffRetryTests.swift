// A request that times out after its body went out may have been stored all the same. Before the
// import sends such a batch again it counts the batch's samples where they would be stored: all
// there, and the batch is done without a second copy; none, and it is sent again; some, and only
// the rest is sent; no answer, and it goes to the spool marked as maybe stored. Against a real
// VictoriaMetrics with deduplication off, behind a proxy that answers each body's first post
// after the client's --timeout.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportCutOffRetryTests {
  /// Imports the two-file export of `start` through a proxy of `storage` that treats each body's
  /// first post as `firstSight` says; returns the export and the run.
  private func importThroughProxy(
    _ storage: VictoriaMetricsServer, firstSight: StallingProxy.FirstSight, start: Int64,
    scratch: ScratchDirectory, query: String? = nil, firstStatus: Int? = nil,
    options: [String] = []
  ) throws -> (generator: ExportGenerator, run: BinaryResult, proxy: StallingProxy) {
    let (path, generator) = try ImportIntegrationTests.export(files: 2, start: start, in: scratch)
    let proxy = try StallingProxy(
      storage: storage.url, firstSight: firstSight, stall: 2.5, firstStatus: firstStatus)
    let run = try BinaryRunner.run(
      ["import", "--no-preflight", "--url", proxy.url, "--query-url", query ?? storage.url,
       "--timeout", "1", "--retry-delay", "0.2", "--jobs", "1", "--concurrency", "1", "--json"]
        + options + [path],
      environment: ImportFaultTests.sharedState(scratch))
    return (generator, run, proxy)
  }

  /// How a run goes when each batch's first post reaches the server whole or not at all.
  struct WholeOrNothing: Sendable, CustomTestStringConvertible {
    var firstSight: StallingProxy.FirstSight
    var start: Int64
    var foundStored: Int
    var retried: Int
    var posts: Int
    /// How the line of each batch ends.
    var line: String
    var testDescription: String { "\(firstSight)" }
  }

  /// Stored before its answer came, or while it was being counted, a batch is not sent again;
  /// not stored, it is; either way every sample is stored once and the landed check passes.
  @Test(arguments: [
    WholeOrNothing(
      firstSight: .whole, start: 1_740_268_800, foundStored: 2, retried: 0, posts: 2,
      line: "and all its 8400 samples are stored: not sent again"),
    WholeOrNothing(
      firstSight: .nothing, start: 1_740_355_200, foundStored: 0, retried: 2, posts: 4,
      line: "and none of its 8400 samples is stored yet: sending it again"),
    // Stored only after the first count (at about 1.2 s) found none: the count a second later
    // finds all of it, and the batch is not sent again.
    WholeOrNothing(
      firstSight: .late(1.8), start: 1_740_614_400, foundStored: 2, retried: 0, posts: 2,
      line: "and all its 8400 samples are stored: not sent again"),
  ])
  func aBatchIsSentAgainOnlyWhenNoneOfItIsStored(_ case: WholeOrNothing) throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (generator, run, proxy) = try importThroughProxy(
        storage, firstSight: `case`.firstSight, start: `case`.start, scratch: scratch)
      defer { proxy.stop() }
      let report = try ImportIntegrationTests.expectReport(run, status: 0)
      #expect(report["batches_sent"] as? Int == 2)
      #expect(report["batches_found_stored"] as? Int == `case`.foundStored)
      #expect(report["batches_retried"] as? Int == `case`.retried)
      #expect(report["samples_sent"] as? Int == 16_800)
      #expect((report["landed"] as? [String: Any])?["passed"] as? Bool == true)
      #expect(proxy.importPosts == `case`.posts)
      let lines = run.stderr.split(separator: "\n").filter {
        $0.contains("its request was cut off after its body went out") && $0.hasSuffix(`case`.line)
      }
      #expect(lines.count == 2, "stderr: \(run.stderr)")
      #expect(run.stderr.split(separator: "\n").filter {
        $0.hasPrefix("arraytool: count in ") && $0.contains(", then retry 2/6 unless all of it is "
          + "stored: batch ")
      }.count == 2)
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1], in: storage)
    }
  }

  /// Half its lines stored before the answer came: only the other half is sent again.
  @Test func ofABatchStoredInPartOnlyTheRestIsSentAgain() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (generator, run, proxy) = try importThroughProxy(
        storage, firstSight: .firstHalf, start: 1_740_441_600, scratch: scratch)
      defer { proxy.stop() }
      let report = try ImportIntegrationTests.expectReport(run, status: 0)
      #expect(report["batches_sent"] as? Int == 2)
      #expect(report["batches_rest_sent"] as? Int == 2)
      #expect(report["batches_found_stored"] as? Int == 0)
      #expect((report["landed"] as? [String: Any])?["passed"] as? Bool == true)
      #expect(proxy.importPosts == 4)
      // "… and 4200 of its 8400 samples are stored: sending the 4200 that are not"
      let lines = run.stderr.split(separator: "\n").filter {
        $0.contains(" of its 8400 samples are stored: sending the ") && $0.hasSuffix(" that are not")
      }
      #expect(lines.count == 2, "stderr: \(run.stderr)")
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1], in: storage)
    }
  }

  /// A proxy that passed the body on and then answered 504 (the server behind it too slow):
  /// the batch may be stored, and is counted before it is sent again.
  @Test func aBatchAnswered504AfterItWasPassedOnIsCountedFirst() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (generator, run, proxy) = try importThroughProxy(
        storage, firstSight: .whole, start: 1_740_787_200, scratch: scratch, firstStatus: 504)
      defer { proxy.stop() }
      let report = try ImportIntegrationTests.expectReport(run, status: 0)
      #expect(report["batches_found_stored"] as? Int == 2)
      #expect(proxy.importPosts == 2)
      #expect(run.stderr.split(separator: "\n").filter {
        $0.contains("(HTTP 504 ")
          && $0.hasSuffix("and all its 8400 samples are stored: not sent again")
      }.count == 2, "stderr: \(run.stderr)")
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1], in: storage)
    }
  }

  /// A count that cannot be made although there is a VictoriaMetrics to ask (its export fails,
  /// or answers with a page that is no export): the batch goes to the spool marked as maybe
  /// stored rather than out a second time.
  @Test(arguments: [
    (500, "no", " answered 500"),
    (200, "<html>not an export</html>\n",
     "1 line of the export could not be read as VictoriaMetrics JSON lines"),
  ])
  func aBatchThatCannotBeCountedIsKeptInTheSpool(status: Int, page: String, why: String) throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let failing = try LoopbackServer(status: status, reason: "Status", body: page)
      defer { failing.stop() }
      let (_, run, proxy) = try importThroughProxy(
        storage, firstSight: .whole, start: 1_740_700_800 + Int64(status) * 86_400,
        scratch: scratch, query: failing.url)
      defer { proxy.stop() }
      let report = try ImportIntegrationTests.expectReport(run, status: 1)
      #expect(report["batches_sent"] as? Int == 0)
      #expect(report["files_spooled"] as? Int == 2)
      #expect(proxy.importPosts == 2)
      let entries = try ImportSpool(directory: scratch.path + "/state/spool").contents().entries
      #expect(entries.count == 2)
      #expect(entries.allSatisfy { $0.record.mayBeStored })
      #expect(entries.allSatisfy {
        $0.record.reason.contains("; whether it is stored could not be checked: ")
          && $0.record.reason.hasSuffix(why)
      }, "reasons: \(entries.map(\.record.reason))")
      #expect(run.stderr.split(separator: "\n").filter {
        $0.hasSuffix("keeping it in the spool rather than risk storing it twice")
      }.count == 2, "stderr: \(run.stderr)")
    }
  }

  /// A replay delivers the same way: a spooled batch whose replay request is stored and then
  /// times out is found stored, and removed from the spool unsent.
  @Test func aReplayedBatchStoredBeforeItsAnswerCameIsNotSentAgain() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, generator) = try ImportIntegrationTests.export(
        files: 2, start: 1_740_528_000, in: scratch)
      let (placeholder, closedPort) = try LoopbackSocket.bound()
      defer { close(placeholder) }
      #expect(try ImportFaultTests.spoolEverything(
        path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch) == 4)
      let proxy = try StallingProxy(storage: storage.url, firstSight: .whole, stall: 2.5)
      defer { proxy.stop() }
      let run = try BinaryRunner.run(
        ["import", "--replay", scratch.path + "/state/spool", "--url", proxy.url,
         "--query-url", storage.url, "--timeout", "1", "--retry-delay", "0.2", "--json"],
        environment: ImportFaultTests.sharedState(scratch))
      let report = try ImportIntegrationTests.expectReport(run, status: 0)
      #expect(report["batches_sent"] as? Int == 2)
      #expect(report["batches_left"] as? Int == 0)
      #expect(proxy.importPosts == 2)
      #expect(run.stderr.split(separator: "\n").filter {
        $0.hasSuffix("and all its 8400 samples are stored: not sent again")
      }.count == 2, "stderr: \(run.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/state/spool") == [])
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1], in: storage)
    }
  }
}
