// A spooled batch whose request was cut off after its body went out (a timeout, a reset, the
// second Ctrl-C) may be stored already: a replay counts its samples in VictoriaMetrics first,
// removes it when all are there, sends it when none is, and leaves it when some are or nobody
// can be asked, unless --force. Against a real VictoriaMetrics with deduplication off, where a
// second copy would be stored twice.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif
#if canImport(Glibc)
  import Glibc
#endif

@Suite(.serialized) struct ImportReplayMayBeStoredTests {
  /// Spools the `files` files of an export for a dead target, in `batches` batches (one a file
  /// unless `options` cut them otherwise), and marks every batch as cut off after its body went
  /// out; returns the export, the spool and the batches' bodies.
  private func spoolCutOff(
    _ scratch: ScratchDirectory, start: Int64, files: Int = 3, options: [String] = [],
    batches: Int = 3
  ) throws
    -> (generator: ExportGenerator, spool: String, entries: [SpoolEntry], bodies: [[UInt8]])
  {
    let (path, generator) = try ImportIntegrationTests.export(
      files: files, start: start, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let spooled = try ImportFaultTests.spoolEverything(
      path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch, options: options)
    // Each batch is a data file and its record.
    #expect(spooled == 2 * batches)
    let folder = scratch.path + "/state/spool"
    let spool = ImportSpool(directory: folder)
    let entries = try spool.contents().entries
    #expect(entries.allSatisfy { !$0.record.mayBeStored })
    for entry in entries {
      var record = entry.record
      record.mayBeStored = true
      try spool.rewrite(recordPath: entry.recordPath, record: record)
    }
    let marked = try spool.contents().entries
    #expect(marked.count == batches)
    #expect(marked.allSatisfy { $0.record.mayBeStored })
    return (generator, folder, marked, try marked.map { try ImportSpool.readBody($0.dataPath) })
  }

  /// Replays `spool` to `url` with the scratch folder's state; returns the run and its report.
  /// A --timeout of 3 s puts a second between the counts that must agree.
  private func replay(
    _ spool: String, to url: String, _ scratch: ScratchDirectory, options: [String] = [],
    status: Int32
  ) throws -> (run: BinaryResult, report: [String: Any]) {
    let run = try BinaryRunner.run(
      ["import", "--replay", spool, "--url", url, "--json", "--timeout", "3"] + options,
      environment: ImportFaultTests.sharedState(scratch))
    return (run, try ImportIntegrationTests.expectReport(run, status: status))
  }

  private func post(_ body: [UInt8], to storage: VictoriaMetricsServer) {
    let sender = HTTPSender(timeout: 10, connections: 1, credentials: .none)
    #expect(sender.post(Data(body), to: URL(string: storage.url + "/api/v1/import")!, gzipped: false) == nil)
  }

  @Test func aBatchAlreadyStoredIsRemovedAndOneNotStoredIsSent() throws {
    let scratch = try ScratchDirectory()
    let (generator, spool, entries, bodies) = try spoolCutOff(scratch, start: 1_739_577_600)
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      // The first batch reached the server before its request was cut off; the others did not.
      post(bodies[0], to: storage)
      let (run, report) = try replay(spool, to: storage.url, scratch, status: 0)
      #expect(report["batches_total"] as? Int == 3)
      #expect(report["batches_already_stored"] as? Int == 1)
      #expect(report["samples_already_stored"] as? Int == entries[0].record.samples)
      #expect(report["batches_sent"] as? Int == 2)
      #expect(report["batches_resent_unfound"] as? Int == 2)
      #expect(report["samples_sent"] as? Int == entries[1].record.samples + entries[2].record.samples)
      #expect(report["batches_left"] as? Int == 0)
      let name = (entries[0].dataPath as NSString).lastPathComponent
      #expect(
        run.stderr.contains(
          "\(name): its \(entries[0].record.samples) samples are stored already (its request was "
            + "cut off after its body went out (\(entries[0].record.reason))): removed from the "
            + "spool, not sent"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2], in: storage)
    }
  }

  @Test func aBatchSpooledLongAgoIsCountedOnce() throws {
    let scratch = try ScratchDirectory()
    let (generator, spool, entries, bodies) = try spoolCutOff(scratch, start: 1_739_491_200)
    // Spooled two hours ago: no server is still storing what its request carried.
    for entry in entries {
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSinceNow: -7_200)], ofItemAtPath: entry.recordPath)
    }
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      post(bodies[0], to: storage)
      let (run, report) = try replay(spool, to: storage.url, scratch, status: 0)
      #expect(report["batches_already_stored"] as? Int == 1)
      #expect(report["batches_sent"] as? Int == 2)
      for entry in entries[1...] {
        let name = (entry.dataPath as NSString).lastPathComponent
        #expect(
          run.stderr.contains(
            "\(name): none of its \(entry.record.samples) samples is stored yet (its request was "
              + "cut off after its body went out (\(entry.record.reason)); counted once, as it was "
              + "spooled 120 minutes ago): sending it"))
      }
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2], in: storage)
    }
  }

  @Test func aBatchJustSpooledIsCountedUntilTwoCountsAgree() throws {
    let scratch = try ScratchDirectory()
    let (_, spool, entries, _) = try spoolCutOff(scratch, start: 1_739_404_800, batches: 3)
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let (run, _) = try replay(spool, to: storage.url, scratch, status: 0)
      let name = (entries[0].dataPath as NSString).lastPathComponent
      #expect(
        run.stderr.contains(
          "\(name): none of its \(entries[0].record.samples) samples is stored yet (its request "
            + "was cut off after its body went out (\(entries[0].record.reason))): sending it"))
    }
  }

  @Test func batchesThatShareSeriesAndTimeAreEachFoundStored() throws {
    let scratch = try ScratchDirectory()
    // Batches of 3,000 samples cut the file's two blocks by series, so that the time one batch
    // spans holds samples of the same series in the next batch.
    let (generator, spool, entries, bodies) = try spoolCutOff(
      scratch, start: 1_739_836_800, files: 1, options: ["--batch-samples", "3000"])
    #expect(entries.map(\.record.samples) == [3000, 3000, 2400])
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      for body in bodies { post(body, to: storage) }
      let (_, report) = try replay(spool, to: storage.url, scratch, status: 0)
      #expect(report["batches_already_stored"] as? Int == 3)
      #expect(report["samples_already_stored"] as? Int == 8400)
      #expect(report["batches_sent"] as? Int == 0)
      #expect(report["batches_may_be_stored"] as? Int == 0)
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0], in: storage)
    }
  }

  @Test func theStoredPartCountsTimestampsOfTheBatchOnly() {
    let series = SeriesKey(
      name: "huawei_a", element: "0A", resource: "Controller", serial: "S1", interval: 60)
    let other = SeriesKey(
      name: "huawei_b", element: "0A", resource: "Controller", serial: "S1", interval: 60)
    // Two samples at 1000 (two metric ids of one series), one at 61000; another series at 1000.
    let stamps: [SeriesKey: [Int64: Int]] = [series: [1000: 2, 61_000: 1], other: [1000: 1]]
    let line =
      #"{"metric":{"__name__":"huawei_a","Element":"0A","Resource":"Controller","SN":"S1","#
      + #""scrape_interval":"60"},"values":[1,2,3],"timestamps":[1000,61000,121000]}"#
    var found: [SeriesKey: Set<Int64>] = [:]
    let read = Array(line.utf8).withUnsafeBytes {
      BatchStoredCheck.add(line: $0, stamps: stamps, to: &found)
    }
    #expect(read)
    // 121000 belongs to another batch; a deduplicated 1000 holds both of the batch's samples.
    #expect(found == [series: [1000, 61_000]])
    #expect(BatchStoredCheck.state(stamps: stamps, found: found) == .some(found: 3, of: 4))
    #expect(BatchStoredCheck.state(stamps: stamps, found: [:]) == StoredState.none)
    found[other] = [1000]
    #expect(BatchStoredCheck.state(stamps: stamps, found: found) == .all)
  }

  @Test func ofABatchStoredInPartOnlyTheRestIsSent() throws {
    let scratch = try ScratchDirectory()
    let (generator, spool, entries, bodies) = try spoolCutOff(scratch, start: 1_739_664_000)
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      // Only the first line of the second batch is stored.
      let firstLine = Array(bodies[1].prefix { $0 != 0x0A }) + [0x0A]
      post(firstLine, to: storage)
      let (run, report) = try replay(spool, to: storage.url, scratch, status: 0)
      let stored = try #require(BatchStoredCheck.expectation(of: firstLine)).samples.values.first
      let total = entries[1].record.samples
      let all = entries.reduce(0) { $0 + $1.record.samples }
      #expect(report["batches_sent"] as? Int == 3)
      #expect(report["batches_rest_sent"] as? Int == 1)
      #expect(report["samples_already_stored"] as? Int == stored)
      #expect(report["samples_already_accepted"] as? Int == 0)
      #expect(report["samples_sent"] as? Int == all - (stored ?? 0))
      #expect(report["batches_left"] as? Int == 0)
      let name = (entries[1].dataPath as NSString).lastPathComponent
      #expect(
        run.stderr.contains(
          "\(name): \(stored ?? 0) of its \(total) samples are stored already (its request was "
            + "cut off after its body went out (\(entries[1].record.reason))): sending the "
            + "\(total - (stored ?? 0)) that are not"),
        "stderr: \(run.stderr)")
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 2], in: storage)
    }
  }

  @Test func withNothingToAskTheBatchIsLeft() throws {
    let scratch = try ScratchDirectory()
    let (_, spool, entries, _) = try spoolCutOff(scratch, start: 1_739_750_400)
    // A target that takes every request and is no VictoriaMetrics: nothing can be counted.
    let server = try LoopbackServer(status: 204, reason: "No Content", body: "")
    defer { server.stop() }
    let (_, report) = try replay(spool, to: server.url, scratch, status: 1)
    #expect(report["batches_sent"] as? Int == 0)
    #expect(report["batches_may_be_stored"] as? Int == 3)
    let failures = report["failures"] as? [String] ?? []
    #expect(failures.count == 3)
    let name = (entries[0].dataPath as NSString).lastPathComponent
    let expected =
      "\(name): \(entries[0].record.samples) samples left in the spool: it may be stored "
      + "already (its request was cut off after its body went out (\(entries[0].record.reason))), "
      + "and that was not checked: no VictoriaMetrics is known to count its samples in "
      + "(--query-url); --force sends it anyway"
    #expect(failures.first == expected)
    #expect(!server.requests.contains { $0.hasPrefix("POST") })
  }

  @Test func aQueryURLThatIsAVmagentIsRefusedBeforeAnythingIsSent() throws {
    let scratch = try ScratchDirectory()
    let (_, spool, _, _) = try spoolCutOff(scratch, start: 1_739_836_800)
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, _ in
      let run = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", agent.url, "--query-url", agent.url],
        environment: ImportFaultTests.sharedState(scratch))
      #expect(run.status == 2)
      #expect(run.stdout == "")
      #expect(run.stderr == ImportStoresTests.vmagentQueryRefusal(agent.url))
      #expect(try ImportSpool(directory: spool).contents().entries.count == 3)
    }
  }

  @Test func aRecordWrittenBeforeTheFieldExistedIsNotCutOff() throws {
    let old = Data(
      #"{"archive":"a.zip","archive_sha256":"abababababababababababababababababababababababababababababababab","lines":1,"member":"","pieces":[],"reason":"x","samples":2,"target":"http://vm:8428"}"#
        .utf8)
    #expect(try SpoolRecord.decode(old).mayBeStored == false)
    var record = try SpoolRecord.decode(old)
    record.mayBeStored = true
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    #expect(try SpoolRecord.decode(try encoder.encode(record)).mayBeStored == true)
  }

  @Test func aRecordWhoseFieldIsNullIsDamaged() throws {
    let null = Data(
      #"{"archive":"a.zip","archive_sha256":"abababababababababababababababababababababababababababababababab","lines":1,"may_be_stored":null,"member":"","pieces":[],"reason":"x","samples":2,"target":"http://vm:8428"}"#
        .utf8)
    let damage = #expect(throws: SpoolRecordDamage.self) { try SpoolRecord.decode(null) }
    #expect(damage?.reason == "the field 'may_be_stored' is not of type Bool")
  }

  @Test func anExpectationCountsEachSeriesAndSpansItsTimestamps() throws {
    let body = Array(
      (#"{"metric":{"__name__":"huawei_a","Element":"0A","Resource":"Controller","SN":"S1","scrape_interval":"60"},"values":[1,2],"timestamps":[1000,61000]}"#
        + "\n"
        + #"{"metric":{"__name__":"huawei_b","Element":"0A","Resource":"Controller","SN":"S1","scrape_interval":"60"},"values":[3],"timestamps":[121000]}"#
        + "\n").utf8)
    let expectation = try #require(BatchStoredCheck.expectation(of: body))
    #expect(expectation.first == 1000)
    #expect(expectation.last == 121_000)
    #expect(
      expectation.samples == [
        SeriesKey(name: "huawei_a", element: "0A", resource: "Controller", serial: "S1", interval: 60): 2,
        SeriesKey(name: "huawei_b", element: "0A", resource: "Controller", serial: "S1", interval: 60): 1,
      ])
  }
}
