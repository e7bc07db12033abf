// `import --replay` of a spool in which some batches are damaged or lack their record: each of
// them is named with its path and what is wrong and stays in the spool untouched, and every other
// batch is still delivered.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportReplayDamageTests {
  /// Before, a damaged record stopped the replay with `malformed` (status 2), a cut data file
  /// with an error naming no file (status 1), and a data file without a record was passed over
  /// while the report said `0 left`: in each case the other batches were not sent.
  @Test func damagedAndOrphanedBatchesAreNamedAndTheOthersAreReplayed() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 8, start: 1_739_491_200, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let state = ImportFaultTests.sharedState(scratch)
    let spool = scratch.path + "/state/spool"
    #expect(try ImportFaultTests.spoolEverything(
      path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch) == 16)
    let names = try FileManager.default.contentsOfDirectory(atPath: spool).sorted()
    let bases = names.filter { $0.hasSuffix(".json") }.map { spool + "/" + $0.dropLast(5) }
    #expect(bases.count == 8)

    // Batch 3's record is cut short, batch 5's data file is cut in half, batch 7 lost its record.
    try Data("{\"garbage\": tru".utf8).write(to: URL(fileURLWithPath: bases[2] + ".json"))
    let data = try Data(contentsOf: URL(fileURLWithPath: bases[4] + ".jsonl.gz"))
    let half = data.prefix(data.count / 2)
    try half.write(to: URL(fileURLWithPath: bases[4] + ".jsonl.gz"))
    try FileManager.default.removeItem(atPath: bases[6] + ".json")
    let left = [bases[2] + ".json", bases[2] + ".jsonl.gz", bases[4] + ".json",
                bases[4] + ".jsonl.gz", bases[6] + ".jsonl.gz"]
    let before = try left.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

    let damagedRecord = "\(bases[2]).json: left in the spool, damaged record: not JSON: it ends "
      + "at offset 15 in the middle of a value"
    let orphan = "\(bases[6]).jsonl.gz: left in the spool, not replayed: its record file "
      + "\((bases[6] as NSString).lastPathComponent).json is missing, so what it holds and where "
      + "it goes are not known"
    let damagedData = "\(bases[4]).jsonl.gz: 8400 samples left in the spool, damaged data file: "
      + "truncated at offset \(half.count): the gzip stream ends inside the compressed data of "
      + "member 1"
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let replay = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url, "--json"], environment: state)
      let report = try ImportIntegrationTests.expectReport(replay, status: 1)
      #expect(report["batches_total"] as? Int == 8)
      #expect(report["batches_sent"] as? Int == 5)
      #expect(report["samples_sent"] as? Int == 5 * 8400)
      #expect(report["batches_left"] as? Int == 3)
      #expect(report["samples_left"] as? Int == 8400)
      #expect(report["batches_damaged"] as? Int == 2)
      #expect(report["data_files_without_record"] as? Int == 1)
      #expect(report["batches_not_delivered"] as? Int == 0)
      #expect(report["failures"] as? [String] == [damagedRecord, orphan, damagedData])
      for line in [damagedRecord, orphan, damagedData] {
        #expect(replay.stderr.contains("arraytool: \(line)\n"))
      }
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 1, 3, 5, 7], in: storage)

      // What is left is exactly the bad batches, untouched, and a second replay says so.
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool).sorted()
        == left.map { ($0 as NSString).lastPathComponent })
      #expect(try left.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
      let again = try BinaryRunner.run(
        ["import", "--replay", spool, "--url", storage.url], environment: state)
      #expect(again.status == 1)
      #expect(again.stdout.split(separator: "\n").map(String.init).filter {
        !$0.hasPrefix("  elapsed:")
      } == [
        "replay: NOT every spooled batch was delivered",
        "  batches:     0/3 delivered (0 samples), 3 left in \(spool)",
        "  left:        3 batches (8,400 samples on record): 2 damaged, 1 data file without a "
          + "record",
        "    \(damagedRecord)", "    \(orphan)", "    \(damagedData)",
      ])
    }
  }

  /// A record file that is no spool record says what is wrong with it.
  @Test(arguments: [
    ("", "the file is empty"),
    ("{\"garbage\": tru", "not JSON: it ends at offset 15 in the middle of a value"),
    ("{\"target\" 1}", "not JSON at offset 10"),
    ("[1, 2]", "not a JSON object"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"\", \"member\": \"\", "
      + "\"samples\": 1, \"lines\": 1, \"reason\": \"\"}", "the field 'pieces' is missing"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"\", \"member\": \"\", "
      + "\"pieces\": [], \"samples\": \"1\", \"lines\": 1, \"reason\": \"\"}",
     "the field 'samples' is not of type Int"),
  ])
  func aDamagedRecordSaysWhatIsWrong(text: String, reason: String) throws {
    let folder = try ScratchDirectory()
    _ = try folder.write("0000000000001-1-000001.json", Array(text.utf8))
    let contents = try ImportSpool(directory: folder.path).contents()
    #expect(contents.entries.isEmpty)
    #expect(contents.problems == [SpoolProblem(
      kind: .damagedRecord, path: folder.path + "/0000000000001-1-000001.json", reason: reason)])
  }
}
