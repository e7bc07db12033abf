// The same archive given twice in one run, as a copy under another name or as the same path:
// sent once, named in the report, counted once by the landed check.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite(.serialized) struct ImportDuplicateInputTests {
  /// The sample export, the member of its first .tgz, and a copy of that .tgz written to
  /// `loose/` in `scratch`.
  static func looseCopyOfFirstFile(in scratch: ScratchDirectory) throws
    -> (zip: String, member: ZipEntry, loose: String)
  {
    let zip = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
    let archive = try ZipArchive(file: InputFile(path: zip))
    let entry = try #require(archive.entries.first { $0.name.hasSuffix(".tgz") })
    let name = String(entry.name.split(separator: "/").last!)
    return (zip, entry, try scratch.write("loose/" + name, readAll(archive.open(entry))))
  }

  @Test func aCopyAndARepeatOfTheSampleExportAreSentOnce() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let original = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
      let copy = scratch.path + "/dup1.zip"
      try FileManager.default.copyItem(atPath: original, toPath: copy)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let command = ["import", "--url", storage.url, original, copy, original]
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command + ["--json"], environment: state), status: 0)
      #expect(report["files_total"] as? Int == 24)
      #expect(report["files_ok"] as? Int == 8)
      #expect(report["files_failed"] as? Int == 0)
      #expect(report["files_skipped"] as? Int == 0)
      #expect(report["files_duplicate"] as? Int == 16)
      #expect(report["samples_sent"] as? Int == 67_200)
      let duplicates = report["duplicates"] as? [[String: Any]] ?? []
      #expect(duplicates.map { $0["file"] as? String } == [copy, original])
      #expect(duplicates.map { $0["same_as"] as? String } == [original, original])
      #expect(duplicates.map { $0["files"] as? Int } == [8, 8])
      #expect(duplicates.map { $0["reason"] as? String } == [
        "the same content (SHA-256) as \(original); its 8 files were sent once, from \(original)",
        "given more than once; its 8 files were sent once",
      ])
      ImportIntegrationTests.expectLanded(report, samples: 67_200, series: 280, in: storage)
      let stored = try StoredSamples.read(
        serial: "2102350TST10KA000042", from: storage, expecting: 67_200)
      #expect(stored.count == 67_200)
      #expect(stored.distinctCount == 67_200)

      // Again, in words: the journal knows the first, the others are still named as copies.
      let again = try BinaryRunner.run(command, environment: state)
      #expect(again.status == 0)
      let lines = again.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first == "import: all samples delivered")
      #expect(lines.contains(
        "  files:       24/24 processed, 0 imported, 0 failed, 8 imported before (journal), "
          + "16 duplicates of other inputs (not sent)"))
      // The files the journal skips were sent before, once; their copies count nothing.
      #expect(lines.contains(
        "  samples:     0 sent, 67,200 sent before (journal); the inputs hold 280 series"))
      #expect(lines.contains("  duplicates:"))
      #expect(lines.contains(
        "    \(copy): the same content (SHA-256) as \(original); its 8 files were sent once, "
          + "from \(original)"))
      #expect(lines.contains("    \(original): given more than once; its 8 files were sent once"))
      #expect(try StoredSamples.read(
        serial: "2102350TST10KA000042", from: storage, expecting: 67_200).count == 67_200)
    }
  }

  /// One .tgz of the sample export copied out of the zip, then the loose copy and the zip
  /// imported together: the file's samples go once, from the copy named first.
  @Test func aPerformanceFileInTwoContainersIsSentOnce() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (zip, entry, loose) = try Self.looseCopyOfFirstFile(in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let command = ["import", "--url", storage.url, "--json", scratch.path + "/loose", zip]
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      #expect(report["files_total"] as? Int == 9)
      #expect(report["files_ok"] as? Int == 8)
      #expect(report["files_duplicate"] as? Int == 1)
      #expect(report["samples_sent"] as? Int == 67_200)
      let duplicates = report["duplicates"] as? [[String: Any]] ?? []
      #expect(duplicates.map { $0["file"] as? String } == ["\(zip)!\(entry.name)"])
      #expect(duplicates.map { $0["same_as"] as? String } == [loose])
      #expect(duplicates.map { $0["reason"] as? String } == [
        "the same performance file (array, controller and time in its name) as \(loose); "
          + "sent once, from there"
      ])
      ImportIntegrationTests.expectLanded(report, samples: 67_200, series: 280, in: storage)
      let stored = try StoredSamples.read(
        serial: "2102350TST10KA000042", from: storage, expecting: 67_200)
      #expect(stored.count == 67_200)
      #expect(stored.distinctCount == 67_200)
    }
  }

  /// One .tgz imported on its own, then the zip it came from in a later run: the journal knows
  /// the file by its name, and only the other seven files are sent.
  @Test func aPerformanceFileImportedBeforeFromAnotherContainerIsNotSentAgain() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (zip, _, loose) = try Self.looseCopyOfFirstFile(in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      func run(_ input: String) throws -> [String: Any] {
        try ImportIntegrationTests.expectReport(
          BinaryRunner.run(["import", "--url", storage.url, "--json", input], environment: state),
          status: 0)
      }
      #expect(try run(loose)["samples_sent"] as? Int == 8_400)
      let whole = try run(zip)
      #expect(whole["samples_sent"] as? Int == 58_800)
      #expect(whole["files_skipped"] as? Int == 1)
      #expect(whole["files_ok"] as? Int == 7)
      let again = try run(zip)
      #expect(again["samples_sent"] as? Int == 0)
      #expect(again["files_skipped"] as? Int == 8)
      let stored = try StoredSamples.read(
        serial: "2102350TST10KA000042", from: storage, expecting: 67_200)
      #expect(stored.count == 67_200)
      #expect(stored.distinctCount == 67_200)
    }
  }

  /// Reads the sample array's samples back from `storage` and expects `count` of them, each
  /// stored once.
  static func expectStoredOnce(
    _ count: Int, in storage: VictoriaMetricsServer,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let stored = try StoredSamples.read(
      serial: "2102350TST10KA000042", from: storage, expecting: count, timeout: count == 0 ? 0 : 90)
    #expect(stored.count == count, sourceLocation: sourceLocation)
    #expect(stored.distinctCount == count, sourceLocation: sourceLocation)
  }

  /// The first file of a one-file export with `seed` and `rows` rows per block, written as a
  /// loose .tgz to `folder` in `scratch`: two seeds give one name and other bytes.
  static func looseFile(
    _ folder: String, seed: UInt64, rows: Int = 15, in scratch: ScratchDirectory
  ) throws -> String {
    var profile = ExportProfile()
    profile.files = 1
    profile.seed = seed
    profile.rowsPerBlock = rows
    let generator = ExportGenerator(profile: profile)
    return try scratch.write(folder + "/" + generator.baseName(0) + ".tgz", generator.tgz(0))
  }

  /// Two files of one name with other bytes in one run: the import sends neither, and says why.
  @Test func twoFilesOfOneNameWithOtherBytesAreAConflictAndNothingIsSent() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let first = try Self.looseFile("a", seed: 1, in: scratch)
      let second = try Self.looseFile("b", seed: 2, rows: 20, in: scratch)
      let sizes = try [second, first].map {
        try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int
      }
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      for preflight in [[], ["--no-preflight"]] {
        let result = try BinaryRunner.run(
          ["import", "--url", storage.url] + preflight + [scratch.path + "/a", scratch.path + "/b"],
          environment: state)
        #expect(result.status == 1)
        #expect(
          result.stderr.hasSuffix(
            "arraytool: error: \(second) and \(first) are named for the same array, controller "
              + "and time window but hold different bytes (\(sizes[0]) and \(sizes[1]) bytes): one of "
              + "them may be a copy cut short, an export made again, or the same data packed "
              + "another way. See which is right ('arraytool inspect' shows what each holds) and "
              + "give only that one; nothing was sent\n"))
      }
      try Self.expectStoredOnce(0, in: storage)
    }
  }

  /// A damaged copy named first and the intact one after it, with --skip-corrupt: the damaged
  /// one is left out by the preflight and the intact one is sent, every sample of it.
  @Test func theIntactFileOfTwoOfOneNameIsSentWhenTheOtherIsLeftOutAsDamaged() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let intact = try Self.looseFile("b", seed: 1, in: scratch)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: intact))
      let damaged = try scratch.write(
        "a/" + (intact as NSString).lastPathComponent, Array(bytes.prefix(bytes.count - 20)))
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(
          ["import", "--url", storage.url, "--json", "--skip-corrupt", scratch.path + "/a",
           scratch.path + "/b"], environment: state),
        status: 1)
      #expect(report["samples_sent"] as? Int == 8_400)
      #expect(report["files_ok"] as? Int == 1)
      #expect(report["files_failed"] as? Int == 1)
      #expect(report["files_duplicate"] as? Int == 0)
      let failures = report["failures"] as? [[String: Any]] ?? []
      #expect(failures.map { $0["file"] as? String } == [damaged])
      try Self.expectStoredOnce(8_400, in: storage)
    }
  }

  /// A zip whose one member is damaged, given before an intact loose copy of that file: the
  /// directory's CRC matches the copy, so the copy was left out for the member's sake and
  /// nothing of the file was sent. With the member left out as damaged, the copy is sent.
  @Test func anIntactCopyIsSentWhenTheFileKeptInItsPlaceIsLeftOutAsDamaged() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let loose = try Self.looseFile("loose", seed: 1, in: scratch)
      var profile = ExportProfile()
      profile.files = 1
      let zip = scratch.path + "/damaged.zip"
      _ = try ExportGenerator(profile: profile).writeZip(to: zip, manifest: false)
      var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: zip)))
      bytes[bytes.count / 3] ^= 0xFF
      try Data(bytes).write(to: URL(fileURLWithPath: zip))
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(
          ["import", "--url", storage.url, "--json", "--skip-corrupt", zip, loose],
          environment: ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]),
        status: 1)
      #expect(report["samples_sent"] as? Int == 8_400)
      #expect(report["files_duplicate"] as? Int == 0)
      #expect((report["duplicates"] as? [Any])?.isEmpty == true)
      // Each problem the preflight found in the member is a line of its own.
      let failed = (report["failures"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
      #expect(!failed.isEmpty && Set(failed) == [zip])
      try Self.expectStoredOnce(8_400, in: storage)
    }
  }

  /// Three files of one name, the first damaged and the other two intact but different: with
  /// the damaged one left out, the two others still conflict, and nothing is sent.
  @Test func twoIntactFilesOfOneNameStillConflictWhenADamagedThirdIsLeftOut() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let intact = try Self.looseFile("b", seed: 1, in: scratch)
      let other = try Self.looseFile("c", seed: 2, in: scratch)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: intact))
      _ = try scratch.write(
        "a/" + (intact as NSString).lastPathComponent, Array(bytes.prefix(bytes.count - 20)))
      let result = try BinaryRunner.run(
        ["import", "--url", storage.url, "--skip-corrupt"]
          + ["a", "b", "c"].map { scratch.path + "/" + $0 },
        environment: ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"])
      #expect(result.status == 1)
      #expect(result.stderr.contains("arraytool: error: \(other) and \(intact) are named for the same "))
      #expect(!result.stdout.contains("samples:"))
      try Self.expectStoredOnce(0, in: storage)
    }
  }

  /// A file imported in one run, then another of its name with other bytes in the next: the
  /// second is not taken for the first, nor sent over it; it is reported as not sent.
  @Test func aFileOfANameImportedBeforeWithOtherBytesIsReportedNotSent() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let first = try Self.looseFile("a", seed: 1, in: scratch)
      let second = try Self.looseFile("b", seed: 2, rows: 20, in: scratch)
      let sizes = try [first, second].map {
        try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int
      }
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      func run(_ input: String, status: Int32) throws -> [String: Any] {
        try ImportIntegrationTests.expectReport(
          BinaryRunner.run(["import", "--url", storage.url, "--json", input], environment: state),
          status: status)
      }
      #expect(try run(first, status: 0)["samples_sent"] as? Int == 8_400)
      let later = try run(second, status: 1)
      #expect(later["samples_sent"] as? Int == 0)
      #expect(later["files_skipped"] as? Int == 0)
      #expect(later["files_failed"] as? Int == 1)
      let failures = later["failures"] as? [[String: Any]] ?? []
      #expect(failures.map { $0["file"] as? String } == [second])
      #expect(failures.map { $0["reason"] as? String } == [
        "not sent: a file of this name (array, controller and time window) was imported before "
          + "with other bytes (\(sizes[0]) bytes then, \(sizes[1]) now): one of the two may be a "
          + "copy cut short, an export made again, or the same data packed another way, and "
          + "sending this one would store what both hold twice. If this one is the right one, "
          + "--force sends it"
      ])
      // A line of the index kept no print before prints were kept: such a file is not taken
      // for this one either, and the reason says why.
      let index = scratch.path + "/state/journal/"
        + ImportJournal.folderName(for: try ImportTarget(base: storage.url)) + "/files.index"
      let lines = try String(contentsOfFile: index, encoding: .utf8).split(separator: "\n")
      #expect(lines.count == 1)
      var entry = try #require(
        try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
      #expect(entry["print"] != nil)
      entry["print"] = nil
      try (JSONSerialization.data(withJSONObject: entry) + Data("\n".utf8))
        .write(to: URL(fileURLWithPath: index))
      let unknown = try run(second, status: 1)
      #expect(unknown["samples_sent"] as? Int == 0)
      #expect((unknown["failures"] as? [[String: Any]] ?? []).map { $0["reason"] as? String } == [
        "not sent: a file of this name (array, controller and time window) was imported before "
          + "by a version that kept no record of its bytes, so whether this is the same file "
          + "cannot be told; sending it could store what both hold twice. If it is another file, "
          + "--force sends it"
      ])
      try (lines[0] + "\n").write(toFile: index, atomically: true, encoding: .utf8)
      // The same bytes again under another folder are the file imported before.
      let copy = try scratch.write(
        "c/" + (first as NSString).lastPathComponent,
        Array(try Data(contentsOf: URL(fileURLWithPath: first))))
      let again = try run(copy, status: 0)
      #expect(again["samples_sent"] as? Int == 0)
      #expect(again["files_skipped"] as? Int == 1)
      try Self.expectStoredOnce(8_400, in: storage)
    }
  }

  /// Two metric ids of one element that map to one series name (236 and 801 are both
  /// huawei_bandwidth_kb_s) send two samples per timestamp of that series: a store that
  /// deduplicates keeps one, and the landed check expects one, instead of waiting its whole
  /// timeout for a second that never comes.
  @Test func aSeriesTwoMetricIdsMapToIsCheckedOncePerTimestampInADeduplicatingStore() throws {
    let scratch = try ScratchDirectory()
    // The first file's controller has both ids; the next file's, half an hour later, only one.
    for (start, metrics) in [(Int64(1_758_758_400), [236, 801, 5]), (1_758_760_200, [236, 5])] {
      var profile = ExportProfile()
      profile.files = 1
      profile.start = start
      profile.resources = [
        GeneratedResource(typeID: 207, namePrefix: "CTE0.", count: 1, metricIDs: metrics)
      ]
      let generator = ExportGenerator(profile: profile)
      _ = try scratch.write("export/" + generator.baseName(0) + ".tgz", generator.tgz(0))
    }
    let storage = try VictoriaMetricsServer.startVictoriaMetrics(
      flags: ["-dedup.minScrapeInterval=1ms"])
    defer { storage.stop() }
    let report = try ImportIntegrationTests.expectReport(
      BinaryRunner.run(
        ["import", "--url", storage.url, "--json", "--landed-timeout", "20",
         scratch.path + "/export"],
        environment: ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]),
      status: 0)
    #expect(report["samples_sent"] as? Int == 150)
    ImportIntegrationTests.expectLanded(report, samples: 120, series: 2, in: storage)
    // Without the preflight the landed check reads the flags itself.
    let unchecked = try ImportIntegrationTests.expectReport(
      BinaryRunner.run(
        ["import", "--url", storage.url, "--json", "--landed-timeout", "20", "--no-preflight",
         scratch.path + "/export"],
        environment: ["ARRAYTOOL_STATE_DIR": scratch.path + "/other-state"]),
      status: 0)
    #expect(unchecked["samples_sent"] as? Int == 150)
    ImportIntegrationTests.expectLanded(unchecked, samples: 120, series: 2, in: storage)
  }
}
