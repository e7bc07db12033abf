import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct PerfInputTests {
  let scratch: ScratchDirectory
  let datA = sampleBytes(40_000, seed: 1)
  let datB = sampleBytes(25_000, seed: 2)

  init() throws {
    scratch = try ScratchDirectory()
  }

  /// A zip of `entries` written as `name`; returns its path.
  private func zip(_ name: String, _ entries: [ZipBuilder.Entry]) throws -> String {
    var builder = ZipBuilder()
    for entry in entries { builder.add(entry) }
    return try scratch.write(name, builder.build().bytes)
  }

  /// The .dat bytes of `unit`, checked to the end, with the stream's name, length and notes.
  private func readUnit(_ unit: DatUnit) throws -> (DatStream, [UInt8]) {
    let stream = try unit.open()
    let bytes = try readAll(stream, chunk: 65536)
    try stream.finish()
    return (stream, bytes)
  }

  @Test func aZipGivesOneUnitPerTgzAndListsItsOtherFiles() throws {
    let path = try zip(
      "export.zip",
      [
        .init("2025-09-25/", [], method: 0),
        .init("2025-09-25/PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: datA)),
        .init("SHA256SUMS", Array("0000  x\n".utf8)),
        .init("2025-09-26/deep/PerfData_B.tar.gz", tgz(datName: "PerfData_B.dat", dat: datB)),
        .init("notes.txt", [1], method: 0),
      ])
    let listing = try PerfInput.units(for: [path])
    #expect(listing.units.map(\.path) == [path, path])
    #expect(
      listing.units.map(\.member) == [
        "2025-09-25/PerfData_A.tgz", "2025-09-26/deep/PerfData_B.tar.gz",
      ])
    #expect(listing.units.map(\.name) == ["PerfData_A.tgz", "PerfData_B.tar.gz"])
    #expect(listing.units.map(\.format) == [.tgz, .tgz])
    #expect(listing.otherMembers == ["SHA256SUMS", "notes.txt"])
    #expect(try readAll(listing.otherEntries[0].open()) == Array("0000  x\n".utf8))
    #expect(listing.faults.isEmpty)

    let (first, bytesA) = try readUnit(listing.units[0])
    #expect(bytesA == datA)
    #expect(first.datName == "PerfData_A.dat")
    #expect(first.length == 40_000)
    #expect(first.datMember == "2025-09-25/PerfData_A.tgz!PerfData_A.dat")
    #expect(first.notes.isEmpty)
    #expect(first.containerBytesRead == listing.units[0].containerSize)
    #expect(try readUnit(listing.units[1]).1 == datB)
  }

  @Test func aDirectoryIsWalkedRecursivelyInPathOrder() throws {
    try scratch.write("in/b/PerfData_B.tgz", tgz(datName: "PerfData_B.dat", dat: datB))
    try scratch.write("in/a.dat", datA)
    try scratch.write("in/a/nested/PerfData_C.tar.gz", tgz(datName: "PerfData_C.dat", dat: [7]))
    try scratch.write("in/readme.txt", [1])
    _ = try zip("in/c.zip", [.init("d/PerfData_D.tgz", tgz(datName: "PerfData_D.dat", dat: [8]))])
    let root = scratch.path + "/in"
    let listing = try PerfInput.units(for: [root])
    #expect(
      listing.units.map(\.location) == [
        "\(root)/a.dat", "\(root)/a/nested/PerfData_C.tar.gz", "\(root)/b/PerfData_B.tgz",
        "\(root)/c.zip!d/PerfData_D.tgz",
      ])
    #expect(listing.units.map(\.format) == [.dat, .tgz, .tgz, .tgz])
    #expect(listing.units.map(\.containerSize)[0] == 40_000)
    #expect(try listing.units.map { try readUnit($0).1 } == [datA, [7], datB, [8]])
  }

  @Test func singleFilesOfEachKindAreUnits() throws {
    var tar = TarBuilder()
    tar.file("PerfData_T.dat", datB)
    let paths = [
      try scratch.write("PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: datA)),
      try scratch.write("PerfData_B.dat", datB),
      try scratch.write("PerfData_T.tar", tar.build()),
      // Names that say nothing: the content decides.
      try scratch.write("download.bin", tgz(datName: "PerfData_G.dat", dat: [1, 2])),
      try scratch.write("copy-of-tar", tar.build()),
    ]
    let listing = try PerfInput.units(for: paths)
    #expect(listing.units.map(\.format) == [.tgz, .dat, .tar, .tgz, .tar])
    #expect(listing.units.map(\.member) == [nil, nil, nil, nil, nil])
    let streams = try listing.units.map(readUnit)
    #expect(streams.map(\.1) == [datA, datB, datB, [1, 2], datB])
    #expect(
      streams.map(\.0.datMember) == [
        "PerfData_A.dat", nil, "PerfData_T.dat", "PerfData_G.dat", "PerfData_T.dat",
      ])
    #expect(streams.map(\.0.length) == [40_000, 25_000, 25_000, 2, 25_000])
  }

  @Test func macOSResourceForksAreNotUnits() throws {
    let path = try zip(
      "export.zip",
      [
        .init("day\\PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: [1])),
        .init("__MACOSX/day/._PerfData_A.tgz", [0, 5, 22, 7]),
      ])
    try scratch.write("in/._PerfData_B.tgz", [0, 5, 22, 7])
    try scratch.write("in/PerfData_B.tgz", tgz(datName: "PerfData_B.dat", dat: [2]))
    let listing = try PerfInput.units(for: [path, scratch.path + "/in"])
    #expect(listing.units.map(\.name) == ["PerfData_A.tgz", "PerfData_B.tgz"])
    #expect(listing.otherMembers == ["__MACOSX/day/._PerfData_A.tgz"])
  }

  @Test func aPathThatDoesNotExistIsASystemError() {
    let missing = scratch.path + "/nothing.zip"
    #expect(throws: SystemError("cannot read \(missing)", code: ENOENT)) {
      try PerfInput.units(for: [missing])
    }
  }

  @Test func aTruncatedTgzInsideAZipIsLocatedByPathAndMember() throws {
    let whole = tgz(datName: "PerfData_A.dat", dat: datA)
    let cut = Array(whole.prefix(whole.count / 2))
    let path = try zip("export.zip", [.init("2025-09-25/PerfData_A.tgz", cut)])
    let unit = try #require(try PerfInput.units(for: [path]).units.first)
    let stream = try unit.open()
    let fault = thrownFault { try readAll(stream) }
    #expect(
      fault
        == InputFault(
          .truncated, at: Int64(cut.count),
          "the gzip stream ends inside the compressed data of member 1", path: path,
          member: "2025-09-25/PerfData_A.tgz"))
    #expect(fault?.line.hasPrefix("\(path)!2025-09-25/PerfData_A.tgz: truncated at offset") == true)
  }

  @Test func aSecondMemberInTheTgzIsFoundAtFinish() throws {
    var tar = TarBuilder()
    tar.file("PerfData_A.dat", datA)
    tar.file("extra.txt", [1])
    let path = try scratch.write("PerfData_A.tgz", Gzip.compress(tar.build()))
    let stream = try #require(try PerfInput.units(for: [path]).units.first).open()
    #expect(try readAll(stream) == datA)
    #expect(
      thrownFault { try stream.finish() }
        == InputFault(
          .unexpectedMembers, at: 512 + 40_448,
          "a second member, extra.txt, follows PerfData_A.dat; only one .dat is expected",
          path: path))
  }

  @Test func aTgzWithoutARegularFileFailsAtOpen() throws {
    let empty = try scratch.write("PerfData_E.tgz", Gzip.compress(TarBuilder().build()))
    var folder = TarBuilder()
    folder.directory("PerfData_F.dat/")
    let directory = try scratch.write("PerfData_F.tgz", Gzip.compress(folder.build()))
    let units = try PerfInput.units(for: [empty, directory]).units
    #expect(
      thrownFault { try units[0].open() }
        == InputFault(
          .unexpectedMembers, at: 0, "the tar archive holds no member; a .dat was expected",
          path: empty))
    #expect(
      thrownFault { try units[1].open() }
        == InputFault(
          .unexpectedMembers, at: 0,
          "the first member, PerfData_F.dat/, is a directory, not a .dat file", path: directory))
  }

  @Test func datFaultsAreLocatedOneLevelBelowTheContainer() throws {
    let path = try zip(
      "export.zip",
      [
        .init("day/PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: [1])),
        .init("day/PerfData_B.dat", [2]),
      ])
    let units = try PerfInput.units(for: [path]).units
    let decoderFault = InputFault(.datTruncated, at: 1, "the file ends inside the fixed header")
    #expect(
      try units[0].open().locate(decoderFault).line
        == "\(path)!day/PerfData_A.tgz!PerfData_A.dat: dat_truncated at offset 1: the file ends "
        + "inside the fixed header")
    #expect(try units[1].open().locate(decoderFault).member == "day/PerfData_B.dat")
    let bare = try scratch.write("PerfData_C.dat", [3])
    #expect(try PerfInput.units(for: [bare]).units[0].open().locate(decoderFault).member == nil)
  }

  @Test func gzipPaddingAndOddNamesAreNotesOfTheUnit() throws {
    let padded = tgz(datName: "Other.dat", dat: datA)
    let path = try scratch.write("PerfData_A.tgz", padded + [UInt8](repeating: 0, count: 512))
    let (stream, bytes) = try readUnit(try PerfInput.units(for: [path]).units[0])
    #expect(bytes == datA)
    #expect(
      stream.notes == [
        InputNote(
          at: 0, "the tar holds Other.dat, not PerfData_A.dat as its name says", path: path),
        InputNote(
          at: Int64(padded.count), "512 zero bytes of padding after the last gzip member",
          path: path),
      ])
  }

  @Test func aZipEntryWithAWrongCRCIsFoundWhenTheUnitIsFinished() throws {
    var entry = ZipBuilder.Entry("PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: datA))
    entry.crcEverywhere = 7
    let path = try zip("export.zip", [entry])
    let stream = try PerfInput.units(for: [path]).units[0].open()
    #expect(try readAll(stream) == datA)
    let fault = thrownFault { try stream.finish() }
    #expect(fault?.kind == .crcMismatch)
    #expect(fault?.location == "\(path)!PerfData_A.tgz")
  }

  @Test func damagedInputsAreFaultsOfTheListingAndTheRestIsListed() throws {
    let bad = try scratch.write("bad.zip", Array("not a zip, only text in a file".utf8))
    let good = try zip(
      "good.zip",
      [
        .init("../escape.tgz", [1]),
        .init("PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: [1])),
        .init("PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: [2])),
      ])
    let listing = try PerfInput.units(for: [bad, good])
    #expect(listing.faults.map(\.kind) == [.notZip, .unsafeName, .duplicateName])
    #expect(
      listing.faults.map(\.location) == [bad, "\(good)!../escape.tgz", "\(good)!PerfData_A.tgz"])
    #expect(listing.units.map(\.location) == ["\(good)!PerfData_A.tgz"])
    #expect(try readUnit(listing.units[0]).1 == [1])
  }

  @Test func membersThatAreNotReadAreNotedAndAZipWithoutUnitsIsAFault() throws {
    var builder = ZipBuilder()
    builder.add(.init("PerfData_A.tgz ", tgz(datName: "PerfData_A.dat", dat: [1])))
    builder.add(.init("inner.zip", [1, 2]))
    builder.add(.init("SHA256SUMS", Array("0000  x\n".utf8)))
    builder.add(.init("__MACOSX/._PerfData_A.tgz", [0, 5]))
    let built = builder.build()
    let misnamed = try scratch.write("misnamed.zip", built.bytes)
    // The second entry's local header: 30 fixed bytes and its name before its data.
    let inner = built.dataOffsets[1] - 30 - "inner.zip".utf8.count
    let listing = try PerfInput.units(for: [misnamed])
    #expect(listing.units.isEmpty)
    #expect(
      listing.notes.map(\.line) == [
        "\(misnamed)!PerfData_A.tgz : note at offset 0: not read: only members named .tgz,"
          + " .tar.gz, .tar or .dat hold performance data",
        "\(misnamed)!inner.zip: note at offset \(inner): a zip inside the export is not opened:"
          + " unpack it and name it as an input of its own",
      ])
    #expect(
      listing.faults == [
        InputFault(
          .unexpectedMembers, at: 0,
          "the zip holds no performance file: no member is named .tgz, .tar.gz, .tar or .dat",
          path: misnamed)
      ])
  }

  @Test func aZipWithoutEntriesOrWithFoldersOnlyIsAFault() throws {
    let empty = try zip("empty.zip", [])
    let folders = try zip("folders.zip", [.init("day/", [], method: 0)])
    let listing = try PerfInput.units(for: [empty, folders])
    #expect(listing.units.isEmpty)
    #expect(
      listing.faults == [
        InputFault(
          .unexpectedMembers, at: 0, "the zip holds no entries, so no performance file",
          path: empty),
        InputFault(
          .unexpectedMembers, at: 0, "the zip holds folders only, no performance file",
          path: folders),
      ])
  }

  /// An import reads what the listing gives it: a unit whose header lies inside another
  /// entry's data is listed, and fails when opened, like any member that cannot be read.
  @Test func aUnitInsideAnotherEntrysDataFailsWithoutBeingRead() throws {
    let name = DatBuilder.name(suffix: ".tgz")
    let unit = tgz(datName: DatBuilder.name(), dat: DatBuilder.file([DatBuilder.controllerBlock]))
    let coverData = ZipBuilder.localBytes(of: .init(name, unit, method: 0))
    var inside = ZipBuilder.Entry(name, unit, method: 0)
    // After the cover entry's local header: 30 bytes and its name.
    let start = 30 + "cover.bin".utf8.count
    inside.localHeaderAt = start
    var builder = ZipBuilder()
    builder.add(.init("cover.bin", coverData, method: 0))
    builder.add(inside)
    let built = builder.build()
    let path = try scratch.write("export.zip", built.bytes)
    let expected = InputFault(
      .overlappingEntries, at: Int64(built.centralHeaderOffsets[1]),
      "the entry starts at offset \(start), inside the \(start + coverData.count) bytes of"
        + " \"cover.bin\" at offset 0; not read, so that no bytes are inflated twice",
      path: path, member: name)

    let listing = try PerfInput.units(for: [path])
    #expect(listing.faults.isEmpty)
    #expect(listing.units.map(\.location) == ["\(path)!\(name)"])
    #expect(thrownFault { try listing.units[0].open() } == expected)
    var chunks = 0
    let summary = try PerfUnitReader(catalog: SeriesCatalog.bundled()).read(listing.units[0]) {
      _, _ in chunks += 1
    }
    #expect(summary.fault == expected)
    #expect(chunks == 0)
  }

  @Test func aDanglingLinkOrAFifoInAFolderIsAFaultAndTheRestIsRead() throws {
    try scratch.write("in/PerfData_A.tgz", tgz(datName: "PerfData_A.dat", dat: [3]))
    let root = scratch.path + "/in"
    try FileManager.default.createSymbolicLink(
      atPath: root + "/gone.tgz", withDestinationPath: root + "/missing.tgz")
    try FileManager.default.createSymbolicLink(
      atPath: root + "/gone.txt", withDestinationPath: root + "/missing.txt")
    #expect(mkfifo(root + "/pipe.dat", 0o600) == 0)
    let listing = try PerfInput.units(for: [root])
    #expect(listing.units.map(\.location) == ["\(root)/PerfData_A.tgz"])
    #expect(try readUnit(listing.units[0]).1 == [3])
    #expect(
      Set(listing.faults.map(\.line)) == [
        "\(root)/gone.tgz: unreadable at offset 0: a symbolic link that cannot be followed:"
          + " no such file or directory",
        "\(root)/pipe.dat: unreadable at offset 0: not a regular file",
      ])
  }

  @Test func aFolderWithoutExportFilesIsASystemErrorNamingIt() throws {
    try scratch.write("typo/notes.txt", Array("not an export\n".utf8))
    try scratch.write("typo/deeper/SHA256SUMS", Array("0000  x\n".utf8))
    let folder = scratch.path + "/typo"
    #expect(
      throws: SystemError(
        "no export file found in \(folder)", code: ENOENT,
        reason: "neither it nor a folder below it holds a .zip, .tgz, .tar.gz, .tar or .dat file")
    ) {
      try PerfInput.units(for: [folder])
    }
    // A file named like an input that cannot be read is reported as such, not as no file.
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/gone.zip", withDestinationPath: folder + "/missing.zip")
    let listing = try PerfInput.units(for: [folder])
    #expect(listing.units.isEmpty)
    #expect(listing.faults.map(\.kind) == [.unreadable])
  }
}
