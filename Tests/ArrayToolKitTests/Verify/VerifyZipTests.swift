import Testing

@testable import ArrayToolKit

/// Zip exports: each entry read in place, each fault kind with its member and offset.
@Suite struct VerifyZipTests {
  let fixture: VerifyFixture
  let member = "2025-09-25/" + DatBuilder.name(suffix: ".tgz")

  init() throws {
    fixture = try VerifyFixture()
  }

  private func stored(_ name: String, _ data: [UInt8]) -> ZipBuilder.Entry {
    ZipBuilder.Entry(name, data, method: 0)
  }

  @Test func aCleanZipOfTgzAndOtherFilesPasses() throws {
    let (path, built) = try fixture.zip(
      "export.zip",
      [
        stored("2025-09-25/", []), stored(member, fixture.tgz),
        ZipBuilder.Entry("readme.txt", Array("exported by hand\n".utf8)),
      ])
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty)
    #expect(
      result.notes.map(\.line) == [
        "\(path)!readme.txt: note at offset \(built.dataOffsets[2] - 30 - 10): not read: only"
          + " members named .tgz, .tar.gz, .tar or .dat hold performance data"
      ])
    // The zip and its two files; the folder entry is read but is no file.
    #expect(result.filesChecked == 3)
    // Every stored byte of the entries, nothing of the headers: no digest asked for them.
    #expect(
      result.bytesRead
        == Int64(fixture.tgz.count + Gzip.rawDeflate(Array("exported by hand\n".utf8)).count))
    #expect(built.dataOffsets.count == 3)
  }

  @Test func aCrcMismatchInTheDataNamesTheMember() throws {
    var tgz = fixture.tgz
    // Byte 4 of a gzip header is its MTIME, which nothing checks: only the zip CRC sees it.
    let original = CRC32.checksum(tgz)
    tgz[4] ^= 0x01
    var entry = stored(member, tgz)
    entry.crcEverywhere = original
    let (path, built) = try fixture.zip("export.zip", [entry])
    let dataEnd = built.dataOffsets[0] + tgz.count
    #expect(
      try fixture.problems([path]) == [
        "\(path)!\(member): crc_mismatch at offset \(dataEnd): the data has CRC-32 "
          + "\(ArchiveBytes.hex(CRC32.checksum(tgz), digits: 8)) but the central directory gives "
          + "\(ArchiveBytes.hex(original, digits: 8))"
      ])
  }

  @Test func aCrcWrongOnlyInTheCentralDirectoryDisagreesWithTheLocalHeader() throws {
    let tgz = fixture.tgz
    let crc = CRC32.checksum(tgz)
    var entry = stored(member, tgz)
    entry.centralCRC = crc ^ 0xff
    let (path, built) = try fixture.zip("export.zip", [entry])
    #expect(
      try fixture.problems([path]) == [
        "\(path)!\(member): bad_header at offset \(built.localHeaderOffsets[0] + 14): the local "
          + "header gives CRC-32 \(ArchiveBytes.hex(crc, digits: 8)) and sizes "
          + "\(tgz.count)/\(tgz.count), the central directory "
          + "\(ArchiveBytes.hex(crc ^ 0xff, digits: 8)) and \(tgz.count)/\(tgz.count)"
      ])
  }

  @Test func zip64AndDataDescriptorsAreClean() throws {
    var zip64 = stored(member, fixture.tgz)
    zip64.zip64 = true
    var signed = ZipBuilder.Entry("b/" + fixture.tgzName, fixture.tgz)
    signed.descriptor = .withSignature
    var unsigned = ZipBuilder.Entry("c/" + fixture.tgzName, fixture.tgz)
    unsigned.descriptor = .withoutSignature
    var builder = ZipBuilder()
    for entry in [zip64, signed, unsigned] { builder.add(entry) }
    builder.zip64End = true
    let path = try fixture.write("export.zip", builder.build().bytes)
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty && result.notes.isEmpty)
    #expect(result.filesChecked == 4)
  }

  @Test func prependedBytesAreANote() throws {
    let (path, _) = try fixture.zip(
      "export.zip", [stored(member, fixture.tgz)], prepended: [UInt8](repeating: 0x23, count: 100))
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty)
    #expect(
      result.notes.map(\.line) == [
        "\(path): note at offset 0: 100 bytes of other data precede the zip archive (a "
          + "self-extractor?); offsets are read relative to where the archive starts"
      ])
  }

  @Test func duplicateAndUnsafeNamesAreReported() throws {
    let (path, built) = try fixture.zip(
      "export.zip",
      [
        stored(member, fixture.tgz), stored("../escape.tgz", fixture.tgz),
        stored(member, fixture.tgz),
      ])
    let offsets = built.centralHeaderOffsets
    #expect(
      try fixture.problems([path]) == [
        "\(path)!../escape.tgz: unsafe_name at offset \(offsets[1]): the name climbs out of the "
          + "archive with '..'",
        "\(path)!\(member): duplicate_name at offset \(offsets[2]): another entry of the same "
          + "name comes earlier in the archive",
      ])
  }

  @Test func encryptedAndUnsupportedEntriesAreNamed() throws {
    var encrypted = stored(member, fixture.tgz)
    encrypted.encrypted = true
    let bzip2 = ZipBuilder.Entry("b/" + fixture.tgzName, fixture.tgz, method: 12)
    let (path, built) = try fixture.zip("export.zip", [encrypted, bzip2])
    let offsets = built.centralHeaderOffsets
    #expect(
      try fixture.problems([path]) == [
        "\(path)!\(member): encrypted at offset \(offsets[0]): the entry is encrypted and "
          + "cannot be read",
        "\(path)!b/\(fixture.tgzName): unsupported_method at offset \(offsets[1]): compressed "
          + "with bzip2 (method 12); only stored and deflate entries can be read",
      ])
  }

  @Test func aSecondRecordOfOneLocalHeaderIsNotReadAgain() throws {
    var again = stored(member, fixture.tgz)
    again.localHeaderAt = 0
    let (path, built) = try fixture.zip(
      "export.zip", [stored(member, fixture.tgz), again, again])
    let dataEnd = built.dataOffsets[0] + fixture.tgz.count
    let overlap = { (record: Int) in
      "\(path)!\(member): overlapping_entries at offset \(built.centralHeaderOffsets[record]): the"
        + " entry starts at offset 0, inside the \(dataEnd) bytes of \"\(member)\" at offset 0;"
        + " not read, so that no bytes are inflated twice"
    }
    let duplicate = { (record: Int) in
      "\(path)!\(member): duplicate_name at offset \(built.centralHeaderOffsets[record]): another"
        + " entry of the same name comes earlier in the archive"
    }
    let result = try fixture.verify([path])
    #expect(result.problems.map(\.line) == [duplicate(1), duplicate(2), overlap(1), overlap(2)])
    // The member's stored bytes once; the records after the first are counted but not read.
    #expect(result.bytesRead == Int64(fixture.tgz.count))
    #expect(result.filesChecked == 4)
  }

  @Test func anEntryWhoseHeaderLiesInsideAnotherEntrysDataIsNotRead() throws {
    // The hidden entry's local header and data, stored whole as the data of a cover entry.
    let hiddenBytes = ZipBuilder.localBytes(of: stored(member, fixture.tgz))
    let cover = stored("cover.bin", hiddenBytes)
    var inside = stored(member, fixture.tgz)
    inside.localHeaderAt = 30 + "cover.bin".utf8.count
    let (path, built) = try fixture.zip("export.zip", [cover, inside])
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(path)!\(member): overlapping_entries at offset \(built.centralHeaderOffsets[1]): the"
          + " entry starts at offset \(built.dataOffsets[0]), inside the"
          + " \(built.dataOffsets[0] + hiddenBytes.count) bytes of \"cover.bin\" at offset 0; not"
          + " read, so that no bytes are inflated twice"
      ])
    #expect(
      result.notes.map(\.line) == [
        "\(path)!cover.bin: note at offset 0: not read: only members named .tgz, .tar.gz, .tar or"
          + " .dat hold performance data"
      ])
    #expect(result.bytesRead == Int64(hiddenBytes.count))
  }

  @Test func entriesThatTouchButDoNotOverlapAreAllRead() throws {
    // Empty entries end where their header does; descriptors lie between data and the next
    // header.
    var described = ZipBuilder.Entry("b/" + fixture.tgzName, fixture.tgz)
    described.descriptor = .withSignature
    var wide = stored("c/" + fixture.tgzName, fixture.tgz)
    wide.zip64 = true
    wide.descriptor = .withoutSignature
    let (path, _) = try fixture.zip(
      "export.zip",
      [
        stored("2025-09-25/", []), stored("empty.txt", []), stored(member, fixture.tgz), described,
        wide,
      ])
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty)
    #expect(result.filesChecked == 5)
    #expect(
      result.bytesRead
        == Int64(2 * fixture.tgz.count + Gzip.rawDeflate(fixture.tgz).count))
  }

  @Test func aCutCentralDirectoryAndAnEmptyFileAreTruncated() throws {
    let (whole, built) = try fixture.zip("whole.zip", [stored(member, fixture.tgz)])
    let cutLength = built.centralDirectoryOffset + 20
    let cut = try fixture.write("cut.zip", Array(built.bytes.prefix(cutLength)))
    let empty = try fixture.write("empty.zip", [])
    #expect(
      try fixture.problems([whole, cut, empty]) == [
        "\(cut): truncated at offset \(cutLength): the zip archive is cut: it ends before its "
          + "central directory's end record",
        "\(empty): truncated at offset 0: the file is empty",
      ])
  }

  @Test func aZipWithoutEntriesOrWithFoldersOnlyIsAProblem() throws {
    let (empty, _) = try fixture.zip("none.zip", [])
    let (folders, _) = try fixture.zip("folders.zip", [stored("2025-09-25/", [])])
    let result = try fixture.verify([empty, folders])
    #expect(
      result.problems.map(\.line) == [
        "\(empty): unexpected_members at offset 0: the zip holds no entries, so no performance"
          + " file",
        "\(folders): unexpected_members at offset 0: the zip holds folders only, no performance"
          + " file",
      ])
    #expect(result.notes.isEmpty)
  }

  @Test func aZipWhoseMembersAreAllMisnamedIsAProblem() throws {
    let (path, _) = try fixture.zip("export.zip", [stored(member + ".part", fixture.tgz)])
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(path): unexpected_members at offset 0: the zip holds no performance file: no member"
          + " is named .tgz, .tar.gz, .tar or .dat"
      ])
    #expect(
      result.notes.map(\.line) == [
        "\(path)!\(member).part: note at offset 0: not read: only members named .tgz, .tar.gz,"
          + " .tar or .dat hold performance data"
      ])
  }

  @Test func aDamagedTgzInsideAZipIsLocatedByMemberAndTheRestGoesOn() throws {
    let cut = Array(fixture.tgz.dropLast(10))
    let (path, _) = try fixture.zip(
      "export.zip", [stored(member, cut), stored("b/" + fixture.tgzName, fixture.tgz)])
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(path)!\(member): truncated at offset \(cut.count): the gzip stream ends inside the "
          + "compressed data of member 1"
      ])
    #expect(result.filesChecked == 3)
  }

  @Test func aDeflatedEntryExpandingBeyondTheRatioIsNotRead() throws {
    let zeros = [UInt8](repeating: 0, count: 2 << 20)
    let (path, built) = try fixture.zip(
      "export.zip", [ZipBuilder.Entry("zeros.bin", zeros), stored(member, fixture.tgz)])
    var options = VerifyOptions()
    options.limits.maxRatio = 10
    let compressed = Gzip.rawDeflate(zeros).count
    #expect(
      try fixture.problems([path], options: options) == [
        "\(path)!zeros.bin: ratio_limit at offset \(built.centralHeaderOffsets[0]): the entry "
          + "expands to \(2 << 20) bytes, more than 10 times the \(compressed) compressed bytes "
          + "it is read from (--max-ratio); not read"
      ])
    // Deflate alone cannot pass about 1032:1; the default limit lets such data through.
    #expect(try fixture.problems([path]).isEmpty)
  }
}
