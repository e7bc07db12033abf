import Foundation
import Testing

@testable import ArrayToolKit

/// `arraytool verify` run as a user runs it.
@Suite struct VerifyCommandTests {
  let scratch: ScratchDirectory

  init() throws {
    scratch = try ScratchDirectory()
  }

  /// A generated export of three files with SHA256SUMS inside and `.sha256` beside it.
  private func generatedExport() throws -> String {
    var profile = ExportProfile()
    profile.files = 3
    let path = scratch.path + "/export.zip"
    let hash = try ExportGenerator(profile: profile).writeZip(to: path)
    try scratch.write("export.zip.sha256", Array("\(hash)  export.zip\n".utf8))
    return path
  }

  /// Runs a system tool in `directory`; returns its exit status and output.
  private func tool(_ path: String, _ arguments: [String], in directory: String) throws
    -> (Int32, String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }

  @Test func theSampleExportVerifiesCleanWithItsThreeManifests() throws {
    let sample = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
    let result = try BinaryRunner.run(["verify", sample])
    #expect(result.status == 0)
    // 8 .tgz and 2 manifests inside, the zip, its .sha256; 8 SHA-256 + 8 MD5 + 1 lines matched.
    #expect(
      result.stdout == "12 files checked, 27,773 bytes read, 17 checksums matched: no problems\n")
    #expect(result.stderr == "")

    let json = try BinaryRunner.run(["verify", "--json", sample])
    #expect(json.status == 0)
    #expect(
      json.stdout
        == "{\"bytes_read\":27773,\"checksums_matched\":17,\"errors\":[],\"files_checked\":12,"
        + "\"notes\":[],\"ok\":true,\"problems\":[]}\n")
  }

  @Test func aCorruptMemberIsReportedWithItsMemberAndExitOne() throws {
    let path = try generatedExport()
    let archive = try ZipArchive(file: InputFile(path: path))
    let entry = archive.entries[1]
    let dataOffset = entry.localHeaderOffset + 30 + Int64(entry.rawName.count)
    var bytes = try InputFile(path: path).bytes(at: 0, count: Int(archive.file.size))
    let original = Array(bytes[Int(dataOffset)..<Int(dataOffset + entry.compressedSize)])
    // The gzip MTIME field: nothing but the zip CRC and the checksums can notice.
    bytes[Int(dataOffset) + 4] ^= 0x40
    let damaged = Array(bytes[Int(dataOffset)..<Int(dataOffset + entry.compressedSize)])
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let zipHash = Digest.hex(.sha256, of: bytes)
    let listed = try String(contentsOfFile: path + ".sha256", encoding: .utf8).prefix(64)

    let result = try BinaryRunner.run(["verify", path])
    #expect(result.status == 1)
    let dataEnd = dataOffset + entry.compressedSize
    #expect(
      result.stdout.split(separator: "\n").map(String.init) == [
        "\(path)!\(entry.name): crc_mismatch at offset \(dataEnd): the data has CRC-32 "
          + "\(ArchiveBytes.hex(CRC32.checksum(damaged), digits: 8)) but the central directory "
          + "gives \(ArchiveBytes.hex(entry.crc32, digits: 8))",
        "\(path): manifest_mismatch at offset 0: SHA-256 is \(zipHash), but line 1 of "
          + "\(path).sha256 says \(listed)",
        "\(path)!\(entry.name): manifest_mismatch at offset 0: SHA-256 is "
          + "\(Digest.hex(.sha256, of: damaged)), but line 2 of \(path)!SHA256SUMS says "
          + "\(Digest.hex(.sha256, of: original))",
        // The zip, its 3 .tgz and SHA256SUMS, the .sha256 beside it (77 bytes).
        "6 files checked, \(InspectReport.grouped(bytes.count + 77)) bytes read, 2 checksums "
          + "matched: 3 problems",
      ])

    let quiet = try BinaryRunner.run(["verify", "--quiet", path])
    #expect(quiet.status == 1)
    #expect(quiet.stdout.split(separator: "\n").count == 3)
    let json = try BinaryRunner.run(["verify", "--json", path])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(object?["ok"] as? Bool == false)
    let problems = object?["problems"] as? [[String: Any]] ?? []
    #expect(
      problems.map { $0["kind"] as? String } == [
        "crc_mismatch", "manifest_mismatch", "manifest_mismatch",
      ])
    #expect(problems.first?["member"] as? String == entry.name)
    #expect(problems.first?["offset"] as? Int64 == dataEnd)
  }

  @Test func anInputThatCannotBeReadIsExitTwo() throws {
    let missing = scratch.path + "/missing.zip"
    let result = try BinaryRunner.run(["verify", missing])
    #expect(result.status == 2)
    #expect(
      result.stderr == "arraytool: error: cannot read \(missing): no such file or directory\n")
    #expect(
      result.stdout
        == "0 files checked, 0 bytes read, 0 checksums matched: 1 unreadable input\n")
  }

  @Test func flagsThatNeedWriteManifestAreUsageErrors() throws {
    let result = try BinaryRunner.run(["verify", "--members", scratch.path])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("arraytool: error: --members needs --write-manifest\n"))
    let ratio = try BinaryRunner.run(["verify", "--max-size", "lots", scratch.path])
    #expect(ratio.status == 2)
    #expect(
      ratio.stderr.hasPrefix(
        "arraytool: error: invalid --max-size 'lots': expected bytes such as 500G or 2T, 0 for "
          + "no limit\n"))
  }

  /// A manifest that could not be written where -o says is an error before the inputs are
  /// read, not after an hour of reading them: nothing is checked and nothing reported.
  @Test func aManifestThatCannotBeWrittenIsRefusedBeforeReading() throws {
    let export = try generatedExport()
    let here = URL(fileURLWithPath: scratch.path)
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path + "/dangling", withDestinationPath: "/nonexistent/folder/m.sha256")
    for (output, reason) in [
      ("missing/export.zip.sha256", "the folder missing: no such file or directory"),
      ("export.zip/export.zip.sha256", "export.zip is not a folder"),
      (".", "is a directory"),
      ("dangling", "no such file or directory"),
      ("", "no such file or directory"),
    ] {
      let result = try BinaryRunner.run(
        ["verify", "--write-manifest", "sha256", "-o", output, export], directory: here)
      #expect(result.status == 2)
      #expect(result.stderr == "arraytool: error: cannot write the manifest \(output): \(reason)\n")
      #expect(result.stdout == "")
    }
    // A device that takes no bytes is named when the write fails.
    let full = try BinaryRunner.run(
      ["verify", "--write-manifest", "sha256", "-o", "/dev/full", export], directory: here)
    #expect(full.status == 2)
    #expect(full.stderr == "arraytool: error: cannot write /dev/full: no space left on device\n")
    // A file that can be written is only tried: with a damaged input nothing is left behind.
    let damaged = try scratch.write("damaged.zip", Array("PK not a zip".utf8))
    let refused = try BinaryRunner.run(
      ["verify", "--write-manifest", "sha256", "-o", "never.sha256", damaged], directory: here)
    #expect(refused.status == 1)
    #expect(refused.stderr.hasSuffix("no manifest written: the inputs have problems\n"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/never.sha256"))
  }

  /// `-o` naming an input, under any spelling or through a link, or a file in an input
  /// folder, would put a manifest line where the export was: refused before anything is read,
  /// and the file is left as it was.
  @Test func aManifestIsNeverWrittenOverAnInput() throws {
    let export = try generatedExport()
    let before = try Data(contentsOf: URL(fileURLWithPath: export))
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path + "/link.zip", withDestinationPath: "export.zip")
    try FileManager.default.createDirectory(
      atPath: scratch.path + "/exports/day", withIntermediateDirectories: true)
    try FileManager.default.linkItem(
      atPath: export, toPath: scratch.path + "/exports/day/export.zip")
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path + "/day", withDestinationPath: "exports/day")
    let here = URL(fileURLWithPath: scratch.path)
    for (output, inputs, message) in [
      ("export.zip", ["export.zip"], "-o export.zip is the input export.zip"),
      ("./export.zip", ["export.zip"], "-o ./export.zip is the input export.zip"),
      ("link.zip", [export], "-o link.zip is the input \(export)"),
      ("export.zip", ["exports/day/export.zip"], "-o export.zip is the input exports/day/export.zip"),
    ] {
      let result = try BinaryRunner.run(
        ["verify", "--write-manifest", "sha256", "-o", output] + inputs, directory: here)
      #expect(result.status == 2)
      #expect(
        result.stderr
          == "arraytool: error: \(message): the manifest would be written over it\n"
          + "arraytool: hint: see 'arraytool verify --help'\n")
      #expect(result.stdout == "")
    }
    for (output, input) in [("exports/day/export.zip", "exports"), ("day/export.zip", "exports")] {
      let result = try BinaryRunner.run(
        ["verify", "--write-manifest", "sha256", "-o", output, input], directory: here)
      #expect(result.status == 2)
      #expect(
        result.stderr
          == "arraytool: error: -o \(output) lies in the input folder \(input): the manifest "
          + "would be written over a file of the export\n"
          + "arraytool: hint: see 'arraytool verify --help'\n")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: export)) == before)

    // A new file in an input folder overwrites nothing, and neither does one beside the input.
    let fresh = try BinaryRunner.run(
      ["verify", "--write-manifest", "sha256", "-o", "exports/new.sha256", "exports"],
      directory: here)
    #expect(fresh.status == 0, "\(fresh.stderr)")
    let hash = Digest.hex(.sha256, of: Array(before))
    #expect(
      try String(contentsOfFile: scratch.path + "/exports/new.sha256", encoding: .utf8)
        == "\(hash)  day/export.zip\n")
  }

  @Test func aWrittenManifestOfInputsPassesSha256sum() throws {
    let export = try generatedExport()
    let generator = ExportGenerator(profile: ExportProfile())
    // sha256sum escapes a backslash in a name; the written manifest must do the same.
    let odd = try scratch.write("odd\\dir/" + generator.baseName(0) + ".tgz", generator.tgz(0))
    let manifest = scratch.path + "/written.sha256"
    let result = try BinaryRunner.run(
      ["verify", "--write-manifest", "sha256", "-o", manifest, export, odd])
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix("no problems\n"))
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
    let exportBytes = Array(try Data(contentsOf: URL(fileURLWithPath: export)))
    #expect(text.hasPrefix("\(Digest.hex(.sha256, of: exportBytes))  export.zip\n"))
    #expect(text.contains("\n\\"))
    let (status, output) = try tool("/usr/bin/sha256sum", ["-c", manifest], in: scratch.path)
    #expect(status == 0)
    #expect(output == "export.zip: OK\nodd\\dir/\(generator.baseName(0)).tgz: OK\n")
  }

  @Test func aManifestWrittenToAFileNamesTheInputsFromItsOwnFolder() throws {
    var profile = ExportProfile()
    profile.files = 2
    for folder in ["sub", "sums"] {
      try FileManager.default.createDirectory(
        atPath: scratch.path + "/" + folder, withIntermediateDirectories: true)
    }
    let hash = try ExportGenerator(profile: profile).writeZip(to: scratch.path + "/sub/export.zip")
    let here = URL(fileURLWithPath: scratch.path)
    func written(_ output: String, _ inputs: [String]) throws -> String {
      let result = try BinaryRunner.run(
        ["verify", "--write-manifest", "sha256", "-o", output] + inputs, directory: here)
      #expect(result.status == 0, "\(result.stderr)")
      return try String(contentsOfFile: scratch.path + "/" + output, encoding: .utf8)
    }

    // Beside the export: the bare name, which the next verify of the export reads back.
    #expect(try written("sub/export.zip.sha256", ["sub/export.zip"]) == "\(hash)  export.zip\n")
    let again = try BinaryRunner.run(["verify", "sub/export.zip"], directory: here)
    #expect(again.status == 0)
    // The export's 2 .tgz against SHA256SUMS, and the zip against the new .sha256.
    #expect(again.stdout.hasSuffix(" bytes read, 3 checksums matched: no problems\n"))
    let (besideStatus, besideOutput) = try tool(
      "/usr/bin/sha256sum", ["-c", "export.zip.sha256"], in: scratch.path + "/sub")
    #expect(besideStatus == 0)
    #expect(besideOutput == "export.zip: OK\n")

    // Above it, and in a sibling folder.
    #expect(try written("all.sha256", ["sub/export.zip"]) == "\(hash)  sub/export.zip\n")
    let sibling = try written("sums/all.sha256", [scratch.path + "/sub/./export.zip"])
    #expect(sibling == "\(hash)  ../sub/export.zip\n")
    let (siblingStatus, siblingOutput) = try tool(
      "/usr/bin/sha256sum", ["-c", "all.sha256"], in: scratch.path + "/sums")
    #expect(siblingStatus == 0)
    #expect(siblingOutput == "../sub/export.zip: OK\n")
    let named = try BinaryRunner.run(
      ["verify", "--manifest", "sums/all.sha256", "sub/export.zip"], directory: here)
    #expect(named.status == 0)

    // On stdout the folder the lines will be read in is not known: names as given.
    let printed = try BinaryRunner.run(
      ["verify", "--write-manifest", "sha256", "sub/export.zip"], directory: here)
    #expect(printed.stdout == "\(hash)  sub/export.zip\n")
  }

  /// `-o -` is stdout, as no -o is: the report moves to stderr and the inputs are named as
  /// given, since the folder the lines will be read in is not known; no file `-` is written.
  @Test func aManifestWrittenToADashGoesToStdoutWithTheNamesAsGiven() throws {
    var profile = ExportProfile()
    profile.files = 2
    try FileManager.default.createDirectory(
      atPath: scratch.path + "/sub", withIntermediateDirectories: true)
    let hash = try ExportGenerator(profile: profile).writeZip(to: scratch.path + "/sub/export.zip")
    let here = URL(fileURLWithPath: scratch.path)
    for input in ["sub/export.zip", "sub/../sub/export.zip", scratch.path + "/sub/export.zip"] {
      let plain = try BinaryRunner.run(
        ["verify", "--write-manifest", "sha256", input], directory: here)
      #expect(plain.stdout == "\(hash)  \(input)\n")
      for dash in [["-o", "-"], ["--output=-"]] {
        let result = try BinaryRunner.run(
          ["verify", "--write-manifest", "sha256"] + dash + [input], directory: here)
        #expect(result.status == 0, "\(dash) \(input)")
        #expect(result.stdout == "\(hash)  \(input)\n", "\(dash) \(input)")
        #expect(result.stderr == plain.stderr, "\(dash) \(input)")
        #expect(result.stderr.hasSuffix(" bytes read, 2 checksums matched: no problems\n"))
      }
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["sub"])
    // Without --write-manifest there is nothing to write, to stdout or elsewhere.
    let alone = try BinaryRunner.run(["verify", "-o", "-", "sub/export.zip"], directory: here)
    #expect(alone.status == 2)
    #expect(alone.stderr.hasPrefix("arraytool: error: --output needs --write-manifest\n"))
  }

  @Test func aWrittenManifestOfMembersPassesMd5sumOnTheExtractedFiles() throws {
    let export = try generatedExport()
    let result = try BinaryRunner.run(["verify", "--write-manifest", "md5", "--members", export])
    #expect(result.status == 0)
    // The manifest takes stdout; the report moves to stderr.
    #expect(result.stderr.hasSuffix("no problems\n"))
    #expect(result.stdout.split(separator: "\n").count == 4)

    let archive = try ZipArchive(file: InputFile(path: export))
    let folder = scratch.path + "/extracted"
    for entry in archive.entries {
      let bytes = try readAll(archive.open(entry))
      try scratch.write("extracted/" + entry.name, bytes)
    }
    try scratch.write("extracted/MD5SUMS.new", Array(result.stdout.utf8))
    let (status, output) = try tool("/usr/bin/md5sum", ["-c", "MD5SUMS.new"], in: folder)
    #expect(status == 0)
    #expect(output.split(separator: "\n").allSatisfy { $0.hasSuffix(": OK") })
    #expect(output.split(separator: "\n").count == 4)
  }

  @Test func noManifestIsWrittenForDamagedInputs() throws {
    let bad = try scratch.write("PerfData_X.tgz", [0x1f, 0x8b, 8])
    let manifest = scratch.path + "/written.sha256"
    let result = try BinaryRunner.run(["verify", "--write-manifest", "sha256", "-o", manifest, bad])
    #expect(result.status == 1)
    #expect(result.stderr == "arraytool: error: no manifest written: the inputs have problems\n")
    #expect(!FileManager.default.fileExists(atPath: manifest))
  }
}
