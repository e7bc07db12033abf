import Foundation
import Testing

@testable import ArrayToolKit

/// `inspect` and `export` run as a user would, on the bundled sample and on generated exports.
@Suite struct InspectExportCommandTests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/Storage_History_Performance_Files.zip").path

  @Test func sampleInspectsWithItsKnownFigures() throws {
    let result = try BinaryRunner.run(["inspect", "--json", Self.sample])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(report["files"] as? Int == 8)
    #expect(report["series"] as? Int == 280)
    #expect(report["samples"] as? Int == 67_200)
    #expect(report["serials"] as? [String] == ["2102350TST10KA000042"])
    #expect(report["first_timestamp"] as? Int == 1_758_758_400_000)
    #expect(report["last_timestamp"] as? Int == 1_758_772_740_000)
    #expect((report["faults"] as? [Any])?.isEmpty == true)
    #expect(report["intervals"] as? [Int] == [60])
  }

  @Test func aFileThatIsNotPerformanceDataNamesNoSerialOrModel() throws {
    let scratch = try ScratchDirectory()
    // 337 header bytes that put text where the serial and the model would be, then a block
    // header that is no block header.
    var bytes = [UInt8](repeating: 0x20, count: 337)
    bytes.replaceSubrange(36..<49, with: Array("NOT-A-SERIAL!".utf8))
    bytes.replaceSubrange(292..<303, with: Array("NOT-A-MODEL".utf8))
    bytes += [UInt8](repeating: 0xFF, count: 64)
    let path = scratch.path + "/notes.dat"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let result = try BinaryRunner.run(["inspect", "--json", path])
    #expect(result.status == 1)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(report["files"] as? Int == 1)
    #expect(report["serials"] as? [String] == [])
    #expect(report["models"] as? [String] == [])
    #expect((report["faults"] as? [Any])?.count == 1)
  }

  @Test func aFileWhoseNameGivesNoControllerShowsItUnknown() throws {
    let scratch = try ScratchDirectory()
    let text = String(repeating: "a log line\n", count: 40)
    let path = try scratch.write("notes.dat", Array(text.utf8))
    let result = try BinaryRunner.run(["inspect", path])
    #expect(result.status == 1)
    #expect(
      result.stdout.split(separator: "\n").map(String.init) == [
        "\(path):",
        "  files:          1 (1 with faults)",
        "  serials:        ",
        "  models:         ",
        "  controllers:    unknown",
        "  intervals:      ",
        "  resources:      ",
        "  metrics:        0 ids, 0 known, 0 unknown",
        "  series:         0",
        "  samples:        0",
        "  faults:         1",
        "    \(path): not_dat at offset 32: not a performance data file: the format version "
          + "field holds 1814061322, more than 65535",
      ])
  }

  @Test func anEmptyFolderIsAnErrorOfEveryCommandThatReadsExports() throws {
    let scratch = try ScratchDirectory()
    let folder = scratch.path + "/emptyd"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let message =
      "arraytool: error: no export file found in \(folder): neither it nor a folder below it "
      + "holds a .zip, .tgz, .tar.gz, .tar or .dat file\n"
    for command in [["inspect"], ["export"], ["import", "--url", "http://127.0.0.1:9"]] {
      let result = try BinaryRunner.run(command + [folder])
      #expect(result.status == 2, "\(command)")
      #expect(result.stdout == "", "\(command)")
      #expect(result.stderr == message, "\(command)")
    }
    let verify = try BinaryRunner.run(["verify", folder])
    #expect(verify.status == 2)
    #expect(verify.stderr == message)
    #expect(
      verify.stdout == "0 files checked, 0 bytes read, 0 checksums matched: 1 unreadable input\n")
  }

  @Test func sampleExportsEverySampleOnce() throws {
    let result = try BinaryRunner.run(["export", Self.sample])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 8 * 2 * 280)
    var samples = 0
    var series = Set<String>()
    for line in lines {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let values = try #require(object["values"] as? [Any])
      let stamps = try #require(object["timestamps"] as? [Int])
      #expect(values.count == stamps.count)
      samples += values.count
      let metric = try #require(object["metric"] as? [String: String])
      series.insert(metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
    }
    #expect(samples == 67_200)
    #expect(series.count == 280)
    #expect(
      lines[0].hasPrefix(
        "{\"metric\":{\"__name__\":\"huawei_max_bandwidth_mb_s\",\"Element\":\"CTE0.B\","
          + "\"Resource\":\"Controller\",\"SN\":\"2102350TST10KA000042\",\"scrape_interval\":\"60\"},"
          + "\"values\":[1268,"))
  }

  @Test func prometheusExportHasOneLinePerSample() throws {
    let result = try BinaryRunner.run(["export", "--format", "prometheus", "-j", "1", Self.sample])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 67_200)
    #expect(
      lines.contains(
        "huawei_total_iops_io_s{Element=\"CTE0.B\",Resource=\"Controller\","
          + "SN=\"2102350TST10KA000042\",scrape_interval=\"60\"} 5348 1758758400000"))
  }

  /// Inspect counts what the inputs hold and names what import would send once or refuse.
  @Test func inspectNamesRepeatsAndConflicts() throws {
    let scratch = try ScratchDirectory()
    let (_, entry, loose) = try ImportDuplicateInputTests.looseCopyOfFirstFile(in: scratch)
    let result = try BinaryRunner.run(["inspect", loose, Self.sample, Self.sample])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    // Each under its input: the zip's copy of the loose file under the zip given first, the zip
    // given again under the last.
    let blocks = result.stdout.components(separatedBy: "\n\(Self.sample):\n")
    #expect(blocks.count == 3)
    #expect(blocks.map { $0.split(separator: "\n").filter { $0.hasPrefix("  repeat: ") } } == [
      [],
      [
        "  repeat: \(Self.sample)!\(entry.name): the same performance file (array, controller and "
          + "time in its name) as \(loose); it would be imported once, from there"
      ],
      ["  repeat: \(Self.sample): given more than once; its 8 files would be imported once"],
    ])
    #expect(lines.filter { $0.hasPrefix("  samples:") } == [
      "  samples:        8,400", "  samples:        67,200", "  samples:        67,200",
    ])
    // Where an input's figures count a file import sends from elsewhere, it says what it sends.
    #expect(blocks.map { $0.split(separator: "\n").filter { $0.hasPrefix("  import sends:") } } == [
      [],
      ["  import sends:   7 files, 58,800 samples (the repeats below left out)"],
      ["  import sends:   0 files, 0 samples (the repeats below left out)"],
    ])

    // The totals count what import would send: each input's own figures all it holds.
    let totals = try Self.expectSampleCountedOnce(
      [loose, Self.sample, Self.sample], files: [1, 8, 8], samples: [8400, 67_200, 67_200])
    #expect((totals["repeats"] as? [[String: Any]] ?? []).map { $0["reason"] as? String } == [
      "given more than once; its 8 files would be imported once",
      "the same performance file (array, controller and time in its name) as \(loose); it would "
        + "be imported once, from there",
    ])

    let first = try ImportDuplicateInputTests.looseFile("a", seed: 1, in: scratch)
    let second = try ImportDuplicateInputTests.looseFile("b", seed: 2, rows: 20, in: scratch)
    let refused = try BinaryRunner.run(["inspect", "--json", first, second])
    #expect(refused.status == 1)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
    let conflicts = report["conflicts"] as? [[String: Any]] ?? []
    #expect(conflicts.map { $0["file"] as? String } == [second])
    #expect(conflicts.map { $0["other"] as? String } == [first])
    #expect((report["repeats"] as? [Any])?.isEmpty == true)
  }

  /// The same export given twice is counted once in the totals, as import sends it once.
  @Test func inspectCountsAnInputGivenTwiceOnceInItsTotals() throws {
    let report = try Self.expectSampleCountedOnce(
      [Self.sample, Self.sample], files: [8, 8], samples: [67_200, 67_200])
    #expect((report["faults"] as? [Any])?.isEmpty == true)
  }

  /// Runs `inspect --json` on `inputs`, which hold the sample export and what repeats it, and
  /// expects the sample's figures once in the totals and each input's own `files` and
  /// `samples`; returns the report.
  static func expectSampleCountedOnce(
    _ inputs: [String], files: [Int], samples: [Int],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [String: Any] {
    let result = try BinaryRunner.run(["inspect", "--json"] + inputs)
    #expect(result.status == 0, sourceLocation: sourceLocation)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
      sourceLocation: sourceLocation)
    #expect(report["files"] as? Int == 8, sourceLocation: sourceLocation)
    #expect(report["samples"] as? Int == 67_200, sourceLocation: sourceLocation)
    #expect(report["series"] as? Int == 280, sourceLocation: sourceLocation)
    let perInput = report["inputs"] as? [[String: Any]] ?? []
    #expect(perInput.map { $0["files"] as? Int } == files, sourceLocation: sourceLocation)
    #expect(perInput.map { $0["samples"] as? Int } == samples, sourceLocation: sourceLocation)
    return report
  }

  /// What import leaves out, export leaves out: the sample given twice and a loose copy of one
  /// of its files are written once, each named on stderr; two files of one name with other
  /// bytes are refused.
  @Test func exportWritesWhatImportWouldSendOfRepeatsAndCopies() throws {
    let scratch = try ScratchDirectory()
    let (_, entry, loose) = try ImportDuplicateInputTests.looseCopyOfFirstFile(in: scratch)
    let result = try BinaryRunner.run(
      ["export", "--format", "prometheus", loose, Self.sample, Self.sample])
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 67_200)
    #expect(
      result.stderr
        == "arraytool: note: \(Self.sample): given more than once; its 8 files were written once\n"
        + "arraytool: note: \(Self.sample)!\(entry.name): the same performance file (array, "
        + "controller and time in its name) as \(loose); written once, from there\n")

    let first = try ImportDuplicateInputTests.looseFile("a", seed: 1, in: scratch)
    let second = try ImportDuplicateInputTests.looseFile("b", seed: 2, rows: 20, in: scratch)
    let refused = try BinaryRunner.run(["export", first, second])
    #expect(refused.status == 1)
    #expect(refused.stdout == "")
    #expect(refused.stderr.hasPrefix("arraytool: error: \(second) and \(first) are named for the same "))
  }

  /// An unsafe tar member name is refused by every command as an unsafe zip entry name is: a
  /// fault with exit status 1, the member's data not read, the other files read on.
  @Test func unsafeTarAndZipMemberNamesAreRefusedAlikeByEveryCommand() throws {
    let scratch = try ScratchDirectory()
    let dat = DatBuilder.file([DatBuilder.controllerBlock])
    let good = tgz(datName: DatBuilder.name(), dat: dat)
    var zip = ZipBuilder()
    zip.add(ZipBuilder.Entry("../escape.tgz", good, method: 0))
    zip.add(ZipBuilder.Entry("2025-09-25/" + DatBuilder.name(suffix: ".tgz"), good, method: 0))
    let built = zip.build()
    let zipPath = try scratch.write("export.zip", built.bytes)
    let climbing = tgz(datName: "../" + DatBuilder.name(sp: 1), dat: dat)
    let loose = try scratch.write(DatBuilder.name(sp: 1, suffix: ".tgz"), climbing)
    let faults = [
      "\(zipPath)!../escape.tgz: unsafe_name at offset \(built.centralHeaderOffsets[0]): the name "
        + "climbs out of the archive with '..'",
      "\(loose): unsafe_name at offset 0: the member ../\(DatBuilder.name(sp: 1)) is refused: "
        + "the name climbs out of the archive with '..'",
    ]
    let inputs = [zipPath, loose]

    let verify = try BinaryRunner.run(["verify"] + inputs)
    #expect(verify.status == 1)
    #expect(
      verify.stdout
        == faults.map { $0 + "\n" }.joined()
        + "3 files checked, \(good.count + climbing.count) bytes read, 0 checksums matched: "
        + "2 problems\n")

    let inspect = try BinaryRunner.run(["inspect", "--json"] + inputs)
    #expect(inspect.status == 1)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
    let listed = try #require(report["faults"] as? [[String: Any]])
    #expect(listed.map { $0["kind"] as? String } == ["unsafe_name", "unsafe_name"])
    #expect(listed.map { $0["member"] as? String } == ["../escape.tgz", nil])
    #expect(report["files"] as? Int == 2)
    #expect(report["files_with_faults"] as? Int == 1)
    #expect(report["samples"] as? Int == 6)

    let export = try BinaryRunner.run(["export", "--format", "prometheus"] + inputs)
    #expect(export.status == 1)
    #expect(export.stderr == faults.map { "arraytool: \($0)\n" }.joined())
    #expect(export.stdout.split(separator: "\n").count == 6)

    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let importRun = try BinaryRunner.run(
      ["import", "--url", "http://127.0.0.1:\(closedPort)"] + inputs)
    #expect(importRun.status == 1)
    #expect(faults.allSatisfy { importRun.stderr.contains("\n    \($0)\n") })
    #expect(importRun.stderr.hasSuffix("arraytool: error: preflight failed: nothing was sent\n"))
  }

  /// A .tgz whose tar repeats a GNU long-name record before its .dat, deflated in a zip: verify
  /// used to stop such a chain as ratio_limit once it expanded past --max-ratio (as this one
  /// does) and pass it otherwise, while inspect and export read all of it; every command now
  /// stops at the second record with the same fault.
  @Test func aChainOfLongNameRecordsIsOneBadHeaderInEveryCommand() throws {
    let scratch = try ScratchDirectory()
    var tar = TarBuilder()
    let record = tar.gnuLongName("2025-09-25/" + DatBuilder.name())
    for _ in 0..<2000 { tar.raw(record) }
    tar.file(DatBuilder.name(), DatBuilder.file([DatBuilder.controllerBlock]))
    let chained = Gzip.compress(tar.build(), level: 9)
    let member = "2025-09-25/" + DatBuilder.name(suffix: ".tgz")
    var zip = ZipBuilder()
    zip.add(ZipBuilder.Entry(member, chained))
    let path = try scratch.write("export.zip", zip.build().bytes)
    let fault =
      "\(path)!\(member): bad_header at offset 1024: a second GNU long-name record follows the "
      + "one at offset 0 with no member between them"

    let verify = try BinaryRunner.run(["verify", path])
    #expect(verify.status == 1)
    let lines = verify.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 2)
    #expect(lines.first == fault)
    #expect(lines.last?.hasSuffix(" 0 checksums matched: 1 problem") == true)

    let inspect = try BinaryRunner.run(["inspect", path])
    #expect(inspect.status == 1)
    #expect(inspect.stdout.hasSuffix("  faults:         1\n    \(fault)\n"))

    let export = try BinaryRunner.run(["export", path])
    #expect(export.status == 1)
    #expect(export.stdout == "")
    #expect(export.stderr == "arraytool: \(fault)\n")

    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let importRun = try BinaryRunner.run(
      ["import", "--no-preflight", "--url", "http://127.0.0.1:\(closedPort)", path])
    #expect(importRun.status == 1)
    #expect(importRun.stderr.hasPrefix("arraytool: \(fault)\n"))
  }

  /// `-o FILE` writes what stdout would get. A lone dash is stdout, however it is spelled, and
  /// leaves no file named `-` behind; `./-` is the way to name such a file.
  @Test func exportWritesToTheFileOutputNamesAndToStdoutForADash() throws {
    let scratch = try ScratchDirectory()
    let here = URL(fileURLWithPath: scratch.path)
    let printed = try BinaryRunner.run(["export", "-j", "1", Self.sample])
    #expect(printed.status == 0)
    #expect(printed.stdout.split(separator: "\n").count == 8 * 2 * 280)

    let written = try BinaryRunner.run(
      ["export", "-j", "1", "-o", "samples.jsonl", Self.sample], directory: here)
    #expect(written.status == 0)
    #expect(written.stdout == "")
    #expect(written.stderr == "")
    let file = try String(contentsOfFile: scratch.path + "/samples.jsonl", encoding: .utf8)
    #expect(file == printed.stdout)
    for dash in [["-o", "-"], ["-o-"], ["--output", "-"], ["--output=-"]] {
      let result = try BinaryRunner.run(
        ["export", "-j", "1"] + dash + [Self.sample], directory: here)
      #expect(result.status == 0, "\(dash)")
      #expect(result.stdout == printed.stdout, "\(dash)")
      #expect(result.stderr == "", "\(dash)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["samples.jsonl"])

    let dashFile = try BinaryRunner.run(
      ["export", "-j", "1", "-o", "./-", Self.sample], directory: here)
    #expect(dashFile.status == 0)
    #expect(dashFile.stdout == "")
    #expect(try String(contentsOfFile: scratch.path + "/-", encoding: .utf8) == printed.stdout)
  }

  @Test func parallelExportKeepsTheOrderOfOneJob() throws {
    let one = try BinaryRunner.run(["export", "-j", "1", Self.sample])
    let four = try BinaryRunner.run(["export", "-j", "4", Self.sample])
    #expect(one.stdout == four.stdout)
  }

  @Test func truncatedFileIsReportedAndTheOthersExported() throws {
    let scratch = try ScratchDirectory()
    var profile = ExportProfile()
    profile.files = 3
    let generator = ExportGenerator(profile: profile)
    try generator.writeDirectory(to: scratch.path)
    let damaged = scratch.path + "/" + generator.memberName(1)
    let bytes = try #require(FileManager.default.contents(atPath: damaged))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
    let result = try BinaryRunner.run(["export", "-j", "1", scratch.path])
    #expect(result.status == 1)
    let faults = result.stderr.split(separator: "\n")
    #expect(faults.count == 1)
    #expect(faults[0].hasPrefix("arraytool: \(damaged): truncated at offset \(bytes.count / 2): "))
    let samples = result.stdout.split(separator: "\n").count
    #expect(samples >= 2 * 2 * 280)
  }

  @Test func closedPipeEndsTheExportQuietly() throws {
    let tool = BinaryRunner.executable.path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [
      "-c", "'\(tool)' export --format prometheus '\(Self.sample)' | head -c 10 >/dev/null; "
        + "echo \"status=${PIPESTATUS[0]}\"",
    ]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(text == "status=0\n")
    #expect(errorText == "")
  }
}
