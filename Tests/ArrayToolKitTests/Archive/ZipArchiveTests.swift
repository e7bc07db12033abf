import Testing

@testable import ArrayToolKit

@Suite struct ZipArchiveTests {
  let fixture: ZipFixture

  init() throws {
    fixture = try ZipFixture()
  }

  @Test func theCentralDirectoryIsReadEntryByEntry() throws {
    var zip = ZipBuilder()
    zip.add(.init("2025-09-25/", [], method: 0))
    zip.add(.init("2025-09-25/a.tgz", sampleBytes(5000)))
    zip.add(.init("SHA256SUMS", Array("abc  a.tgz\n".utf8), method: 0))
    let built = zip.build()
    let archive = try fixture.open(built.bytes)
    #expect(archive.entries.map(\.name) == ["2025-09-25/", "2025-09-25/a.tgz", "SHA256SUMS"])
    #expect(archive.entries.map(\.isDirectory) == [true, false, false])
    #expect(archive.entries.map(\.method) == [0, 8, 0])
    #expect(archive.entries.map(\.uncompressedSize) == [0, 5000, 11])
    #expect(archive.entries[1].crc32 == CRC32.checksum(sampleBytes(5000)))
    #expect(archive.entries[1].compressedSize == Int64(Gzip.rawDeflate(sampleBytes(5000)).count))
    #expect(archive.entries.map(\.localHeaderOffset) == built.localHeaderOffsets.map(Int64.init))
    #expect(
      archive.entries.map(\.centralHeaderOffset) == built.centralHeaderOffsets.map(Int64.init))
    #expect(archive.entries.map(\.localHeaderOffset)[0...1] == [0, 41])
    #expect(archive.notes.isEmpty)
    #expect(archive.faults.isEmpty)
    #expect(archive.comment == "")
  }

  @Test func anEmptyZipHasNoEntries() throws {
    let archive = try fixture.open(ZipBuilder().build().bytes)
    #expect(archive.entries.isEmpty)
    #expect(archive.faults.isEmpty)
  }

  @Test func theEndRecordIsFoundBehindACommentThatLooksLikeOne() throws {
    var zip = ZipBuilder()
    zip.add(.init("a.tgz", [1, 2, 3]))
    zip.comment = "exported PK\u{5}\u{6} by the array"
    let archive = try fixture.open(zip.build().bytes)
    #expect(archive.entries.map(\.name) == ["a.tgz"])
    #expect(archive.comment == "exported PK\u{5}\u{6} by the array")
  }

  @Test func namesAreUTF8WithTheFlagAndCodePage437Without() throws {
    var zip = ZipBuilder()
    zip.add(.init("Überblick/отчёт.tgz", [1]))
    var cp437 = ZipBuilder.Entry("", [2])
    cp437.rawName = [0x8e, 0x62, 0x65, 0x72, 0x2e, 0x74, 0x67, 0x7a, 0xe1]
    zip.add(cp437)
    let archive = try fixture.open(zip.build().bytes)
    #expect(archive.entries.map(\.name) == ["Überblick/отчёт.tgz", "Äber.tgzß"])
    #expect(archive.entries.map { $0.flags & 0x0800 } == [0x0800, 0])
  }

  @Test func zip64RecordsAndExtraFieldsGiveSizesAndOffsets() throws {
    var zip = ZipBuilder()
    var entry = ZipBuilder.Entry("a.tgz", sampleBytes(3000))
    entry.zip64 = true
    zip.add(.init("first.txt", [1, 2], method: 0))
    zip.add(entry)
    zip.zip64End = true
    let built = zip.build()
    let archive = try fixture.open(built.bytes)
    #expect(archive.entries.map(\.name) == ["first.txt", "a.tgz"])
    #expect(archive.entries[1].usesZip64)
    #expect(archive.entries[1].uncompressedSize == 3000)
    #expect(archive.entries[1].localHeaderOffset == 41)
    #expect(try readAll(archive.open(archive.entries[1])) == sampleBytes(3000))
  }

  @Test func dataInFrontOfTheArchiveIsMeasuredAndOffsetsFollowIt() throws {
    var zip = ZipBuilder()
    zip.prepended = Array("#!/bin/sh\necho self-extracting\nexit 0\n".utf8)
    zip.add(.init("a.tgz", sampleBytes(800)))
    zip.add(.init("b.tgz", sampleBytes(900, seed: 2), method: 0))
    let archive = try fixture.open(zip.build().bytes)
    #expect(archive.entries.map(\.localHeaderOffset).first == 38)
    #expect(
      archive.notes
        == [
          InputNote(
            at: 0,
            "38 bytes of other data precede the zip archive (a self-extractor?); offsets are read "
              + "relative to where the archive starts", path: fixture.path)
        ])
    #expect(try readAll(archive.open(archive.entries[0])) == sampleBytes(800))
    #expect(try readAll(archive.open(archive.entries[1])) == sampleBytes(900, seed: 2))
  }

  @Test func prependedDataWorksWithZip64Too() throws {
    var zip = ZipBuilder()
    zip.prepended = [UInt8](repeating: 0x4d, count: 100)
    var entry = ZipBuilder.Entry("a.tgz", sampleBytes(800))
    entry.zip64 = true
    zip.add(entry)
    zip.zip64End = true
    let archive = try fixture.open(zip.build().bytes)
    #expect(archive.entries.first?.localHeaderOffset == 100)
    #expect(archive.notes.count == 1)
    #expect(try readAll(archive.open(archive.entries[0])) == sampleBytes(800))
  }

  @Test func unsafeNamesAreFaultsOfTheirEntries() throws {
    var zip = ZipBuilder()
    for name in ["ok/a.tgz", "/etc/passwd", "day/../../x.tgz", "C:\\x.tgz", "\\\\server\\x"] {
      zip.add(.init(name, [1]))
    }
    let built = zip.build()
    let archive = try fixture.open(built.bytes)
    let offsets = built.centralHeaderOffsets.map(Int64.init)
    #expect(
      archive.faults == [
        InputFault(
          .unsafeName, at: offsets[1], "the name is an absolute path", path: fixture.path,
          member: "/etc/passwd"),
        InputFault(
          .unsafeName, at: offsets[2], "the name climbs out of the archive with '..'",
          path: fixture.path, member: "day/../../x.tgz"),
        InputFault(
          .unsafeName, at: offsets[3], "the name starts with a drive letter", path: fixture.path,
          member: "C:\\x.tgz"),
        InputFault(
          .unsafeName, at: offsets[4], "the name is an absolute path", path: fixture.path,
          member: "\\\\server\\x"),
      ])
    #expect(
      thrownFault { try archive.open(archive.entries[2]) }
        == InputFault(
          .unsafeName, at: offsets[2], "refused: the name climbs out of the archive with '..'",
          path: fixture.path, member: "day/../../x.tgz"))
  }

  @Test func aSecondEntryOfTheSameNameIsADuplicate() throws {
    var zip = ZipBuilder()
    zip.add(.init("a.tgz", [1]))
    zip.add(.init("b.tgz", [2]))
    zip.add(.init("a.tgz", [3]))
    let built = zip.build()
    let archive = try fixture.open(built.bytes)
    #expect(
      archive.faults == [
        InputFault(
          .duplicateName, at: Int64(built.centralHeaderOffsets[2]),
          "another entry of the same name comes earlier in the archive", path: fixture.path,
          member: "a.tgz")
      ])
    // A name is looked up as the first entry that has it; a name no entry has is none.
    #expect(archive.entry(named: "a.tgz") == archive.entries[0])
    #expect(archive.entry(named: "b.tgz") == archive.entries[1])
    #expect(archive.entry(named: "c.tgz") == nil)
  }

  @Test func aFileThatIsNoZipOrIsEmptySaysSo() {
    #expect(
      fixture.fault(Array("just some text, long enough to be searched".utf8))
        == InputFault(
          .notZip, at: 0, "not a zip archive: no end of central directory record",
          path: fixture.path))
    #expect(
      fixture.fault([]) == InputFault(.truncated, at: 0, "the file is empty", path: fixture.path))
  }

  @Test func aZipCutBeforeItsEndRecordIsTruncated() {
    var zip = ZipBuilder()
    zip.add(.init("a.tgz", sampleBytes(2000)))
    let bytes = zip.build().bytes
    let cut = Array(bytes.prefix(bytes.count - 30))
    #expect(
      fixture.fault(cut)
        == InputFault(
          .truncated, at: Int64(cut.count),
          "the zip archive is cut: it ends before its central directory's end record",
          path: fixture.path))
  }

  @Test func aCentralDirectoryWithBytesMissingIsCut() {
    var zip = ZipBuilder()
    zip.add(.init("a.tgz", [1, 2, 3]))
    zip.add(.init("b.tgz", [4, 5, 6]))
    let built = zip.build()
    // Drop the second directory record's last 10 bytes, keeping the end record.
    let end = built.endRecordOffset
    let cut = Array(built.bytes[..<(end - 10)] + built.bytes[end...])
    #expect(
      fixture.fault(cut)
        == InputFault(
          .truncated, at: Int64(end - 10),
          "the central directory is cut: it should start at offset \(built.centralDirectoryOffset) "
            + "and be 102 bytes, but its end record is at \(end - 10)", path: fixture.path))
  }

  @Test func anEndRecordThatCountsWrongIsABadHeader() {
    var zip = ZipBuilder()
    zip.add(.init("a.tgz", [1]))
    var bytes = zip.build().bytes
    bytes[bytes.count - 12] = 3  // total entries
    // The directory follows a 30-byte local header, the 5-byte name and 3 bytes of deflate data.
    #expect(
      fixture.fault(bytes)
        == InputFault(
          .badHeader, at: 38,
          "the end record announces 3 entries but the central directory holds 1",
          path: fixture.path))
  }
}
