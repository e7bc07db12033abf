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

  /// Before, a data file edited and compressed again (still valid gzip) was sent: VictoriaMetrics
  /// skipped the line it could not read, answered 204, and the replay removed the batch as
  /// delivered. Now the SHA-256 in the record keeps it in the spool, and so do the counts of a
  /// record written before the digest was kept; intact batches of either kind are still sent.
  @Test func anEditedDataFileIsKeptAndNothingOfItIsSent() throws {
    let scratch = try ScratchDirectory()
    let (path, generator) = try ImportIntegrationTests.export(
      files: 4, start: 1_740_009_600, in: scratch)
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let state = ImportFaultTests.sharedState(scratch)
    let folder = scratch.path + "/state/spool"
    #expect(try ImportFaultTests.spoolEverything(
      path, to: "http://127.0.0.1:\(closedPort)", scratch: scratch) == 8)
    let spool = ImportSpool(directory: folder)
    let entries = try spool.contents().entries
    #expect(entries.count == 4)
    for entry in entries {
      let data = try Data(contentsOf: URL(fileURLWithPath: entry.dataPath))
      #expect(entry.record.dataSHA256 == Digest.hex(.sha256, of: Array(data)))
    }

    // Batch 2 gets a string for a value, which only the digest sees; batches 3 and 4 lose their
    // digest, as written by the earlier version, and batch 4 gets a word no JSON parser reads.
    let recorded = entries[1].record.dataSHA256 ?? ""
    try edit(entries[1].dataPath, value: "\"evil\"")
    for entry in entries[2...] {
      var record = entry.record
      record.dataSHA256 = nil
      try spool.rewrite(recordPath: entry.recordPath, record: record)
      let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: entry.recordPath)),
                        as: UTF8.self)
      #expect(!text.contains("data_sha256"))
    }
    try edit(entries[3].dataPath, value: "evil")
    let edited = Array(try Data(contentsOf: URL(fileURLWithPath: entries[1].dataPath)))
    let left = [entries[1], entries[3]].flatMap { [$0.recordPath, $0.dataPath] }
    let before = try left.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

    let changed = "\(entries[1].dataPath): 8400 samples left in the spool, damaged data file: "
      + "its SHA-256 is \(Digest.hex(.sha256, of: edited)), but its record gives \(recorded): "
      + "it changed after it was spooled"
    let unreadable = "\(entries[3].dataPath): 8400 samples left in the spool, damaged data file: "
      + "line 1 is no line VictoriaMetrics imports: it needs a metric, values that are numbers "
      + "and as many timestamps"
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let replay = try BinaryRunner.run(
        ["import", "--replay", folder, "--url", storage.url, "--json"], environment: state)
      let report = try ImportIntegrationTests.expectReport(replay, status: 1)
      let counts = [
        "batches_total", "batches_sent", "samples_sent", "batches_left", "samples_left",
        "batches_damaged",
      ].map { report[$0] as? Int }
      #expect(counts == [4, 2, 2 * 8400, 2, 2 * 8400, 2])
      #expect(report["failures"] as? [String] == [changed, unreadable])
      for line in [changed, unreadable] {
        #expect(replay.stderr.contains("arraytool: \(line)\n"))
      }
      // One request for each intact batch, none for the edited ones. VictoriaMetrics shows its
      // counters late: wait for the intact batches' samples, then for the count to stay put.
      try storage.waitForMetric(
        "vm_rows_inserted_total", labels: "type=\"vmimport\"", above: 2 * 8400 - 1)
      #expect(try storage.waitForSteadyMetric(
        "vm_http_requests_total", labels: "path=\"/api/v1/import\",", quiet: 1) == 2)
      try ImportIntegrationTests.expectStoredExactly(generator, files: [0, 2], in: storage)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        == left.map { ($0 as NSString).lastPathComponent }.sorted())
      #expect(try left.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
    }
  }

  /// A record without a digest, as the earlier version wrote them: its data file is sent only
  /// when its lines hold the samples and lines the record counts.
  @Test func aDataFileWithoutDigestMustMatchTheCountsOfItsRecord() throws {
    let folder = try ScratchDirectory()
    let spool = ImportSpool(directory: folder.path)
    let lines = [
      #"{"metric":{"__name__":"huawei_a","SN":"S1"},"values":[1,2],"timestamps":[1000,61000]}"#,
      #"{"metric":{"__name__":"huawei_b","SN":"S1"},"values":[3],"timestamps":[121000]}"#,
    ]
    func entry(_ text: String, samples: Int = 3, lines: Int = 2) throws -> SpoolEntry {
      let record = SpoolRecord(
        target: "http://vm:8428", archive: "a.zip", archiveSHA256: "", member: "", pieces: [],
        samples: samples, lines: lines, reason: "test")
      let dataPath = try Array(text.utf8).withUnsafeBytes { try spool.write(body: $0, record: record) }
      let recordPath = String(dataPath.dropLast(".jsonl.gz".count)) + ".json"
      var written = try #require(try spool.contents().entries.first { $0.dataPath == dataPath })
      written.record.dataSHA256 = nil
      try spool.rewrite(recordPath: recordPath, record: written.record)
      return written
    }
    func reason(_ entry: SpoolEntry) -> String? {
      #expect(throws: SpoolDataDamage.self) { try ImportSpool.readBatch(entry) }?.reason
    }

    let intact = lines.joined(separator: "\n") + "\n"
    #expect(try ImportSpool.readBatch(entry(intact)) == Array(intact.utf8))
    #expect(reason(try entry(lines[0] + "\n")) == "its lines hold 2 samples in 1 lines, but its "
      + "record gives 3 in 2")
    #expect(reason(try entry(intact, samples: 4)) == "its lines hold 3 samples in 2 lines, but "
      + "its record gives 4 in 2")
    let unreadable = "is no line VictoriaMetrics imports: it needs a metric, values that are "
      + "numbers and as many timestamps"
    for (values, line) in [("[1]", 1), ("[1,\"2\"]", 1), ("[1,two]", 1), ("[1,02]", 1),
                           ("[1,2.]", 1), ("[1,2e]", 1), ("[1,null]", 1)] {
      let edited = lines[0].replacingOccurrences(of: "[1,2]", with: values)
      #expect(reason(try entry(edited + "\n" + lines[1] + "\n")) == "line \(line) \(unreadable)",
              "\(values)")
    }
    let cut = String(lines[1].dropLast(4))
    #expect(reason(try entry(lines[0] + "\n" + cut + "\n")) == "line 2 \(unreadable)")
    // What arraytool writes for a value reads as a number: integers, fractions, exponents.
    let numbers = lines[0].replacingOccurrences(of: "[1,2]", with: "[-0.5,1e-05]")
    let written = numbers + "\n" + lines[1] + "\n"
    #expect(try ImportSpool.readBatch(entry(written)) == Array(written.utf8))
  }

  /// Replaces the first value of the first line of a spooled data file by `value`, and
  /// compresses it again, so that it is still good gzip.
  private func edit(_ path: String, value: String) throws {
    var text = String(decoding: try ImportSpool.readBody(path), as: UTF8.self)
    let start = try #require(text.range(of: "\"values\":[")).upperBound
    let end = try #require(text[start...].firstIndex { $0 == "," || $0 == "]" })
    text.replaceSubrange(start..<end, with: value)
    try Data(Gzip.compress(Array(text.utf8), level: 6)).write(to: URL(fileURLWithPath: path))
  }

  @Test func aRecordThatIsNoFileSaysWhatItIs() throws {
    let folder = try ScratchDirectory()
    let fifo = folder.path + "/0000000000001-1-000001.json"
    #expect(mkfifo(fifo, 0o600) == 0)
    let directory = folder.path + "/0000000000001-1-000002.json"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    let contents = try ImportSpool(directory: folder.path).contents()
    #expect(contents.entries.isEmpty)
    #expect(contents.problems == [
      SpoolProblem(kind: .damagedRecord, path: fifo, reason: "not a regular file"),
      SpoolProblem(kind: .damagedRecord, path: directory, reason: "it is a folder"),
    ])
  }

  /// A digest as a record holds it.
  static let hex = String(repeating: "ab", count: 32)

  @Test func aDigestInUpperCaseIsTheSameDigest() throws {
    let record = try SpoolRecord.decode(Data(
      (#"{"archive":"a.zip","archive_sha256":"\#(Self.hex.uppercased())","lines":1,"member":"","#
        + #""pieces":[],"reason":"x","samples":2,"target":"http://vm:8428","#
        + #""data_sha256":"\#(Self.hex.uppercased())"}"#).utf8))
    #expect(record.archiveSHA256 == Self.hex)
    #expect(record.dataSHA256 == Self.hex)
  }

  /// A record file that is no spool record says what is wrong with it.
  @Test(arguments: [
    ("", "the file is empty"),
    ("{\"garbage\": tru", "not JSON: it ends at offset 15 in the middle of a value"),
    ("{\"target\" 1}", "not JSON at offset 10"),
    ("[1, 2]", "not a JSON object"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"abababababababababababababababababababababababababababababababab\", \"member\": \"\", "
      + "\"samples\": 1, \"lines\": 1, \"reason\": \"\"}", "the field 'pieces' is missing"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"abababababababababababababababababababababababababababababababab\", \"member\": \"\", "
      + "\"pieces\": [], \"samples\": \"1\", \"lines\": 1, \"reason\": \"\"}",
     "the field 'samples' is not of type Int"),
    // A digest that is null is no record of the earlier version but one edited by hand.
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"abababababababababababababababababababababababababababababababab\", \"member\": \"\", "
      + "\"pieces\": [], \"samples\": 1, \"lines\": 1, \"reason\": \"\", \"data_sha256\": null}",
     "the field 'data_sha256' is null"),
    // The archive's digest names a journal file: a path there would write outside the journal.
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"../../../x\", "
      + "\"member\": \"\", \"pieces\": [], \"samples\": 1, \"lines\": 1, \"reason\": \"\"}",
     "the field 'archive_sha256' is malformed: not 64 hexadecimal digits"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"\(ImportReplayDamageTests.hex)\", "
      + "\"member\": \"\", \"pieces\": [], \"samples\": 1, \"lines\": 1, \"reason\": \"\", "
      + "\"data_sha256\": \"\"}",
     "the field 'data_sha256' is malformed: not 64 hexadecimal digits"),
    ("{\"target\": \"http://a\", \"archive\": \"x.zip\", \"archive_sha256\": \"\(ImportReplayDamageTests.hex)\", "
      + "\"member\": \"\", \"pieces\": [], \"samples\": 99999999999999999999999, \"lines\": 1, "
      + "\"reason\": \"\"}",
     "a value is malformed or out of range"),
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
