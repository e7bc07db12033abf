import Testing

@testable import ArrayToolKit

/// The gzip and tar layers of a .tgz, each fault kind from a generated input.
@Suite struct VerifyGzipTarTests {
  let fixture: VerifyFixture

  init() throws {
    fixture = try VerifyFixture()
  }

  @Test func aCleanTgzPasses() throws {
    let path = try fixture.write(fixture.tgzName, fixture.tgz)
    let result = try fixture.verify([path])
    #expect(result.ok)
    #expect(result.problems.isEmpty && result.notes.isEmpty && result.errors.isEmpty)
    #expect(result.filesChecked == 1)
    #expect(result.bytesRead == Int64(fixture.tgz.count))
    #expect(result.exitStatus == .success)
  }

  @Test func aTruncatedGzipIsReportedWithItsOffset() throws {
    let cut = Array(fixture.tgz.dropLast(10))
    let path = try fixture.write(fixture.tgzName, cut)
    #expect(
      try fixture.problems([path]) == [
        "\(path): truncated at offset \(cut.count): the gzip stream ends inside the compressed "
          + "data of member 1"
      ])
  }

  @Test func gzipCrcAndLengthMismatchesPointAtTheTrailer() throws {
    let tar = fixture.tar
    let crc = CRC32.checksum(tar)
    let badCRC = GzipBuilder.member(tar, crc: crc ^ 1)
    let crcPath = try fixture.write("a/" + fixture.tgzName, badCRC)
    let badLength = GzipBuilder.member(tar, length: UInt32(tar.count + 1))
    let lengthPath = try fixture.write("b/" + fixture.tgzName, badLength)
    #expect(
      try fixture.problems([crcPath, lengthPath]) == [
        "\(crcPath): crc_mismatch at offset \(badCRC.count - 8): member 1: the trailer gives "
          + "CRC-32 \(ArchiveBytes.hex(crc ^ 1, digits: 8)) but the data has "
          + "\(ArchiveBytes.hex(crc, digits: 8))",
        "\(lengthPath): size_mismatch at offset \(badLength.count - 4): member 1: the trailer "
          + "gives a length of \(tar.count + 1) bytes (mod 2^32) but the data is "
          + "\(tar.count) bytes",
      ])
  }

  /// A bit flipped in the compressed bytes shows first as a .dat that makes no sense; the gzip
  /// stream is still read to its end after it, and its CRC-32, which names the file itself as
  /// damaged, comes first.
  @Test func damagedCompressedBytesAreNamedBeforeTheDatFaultTheyCause() throws {
    let tar = fixture.tar
    var damaged = tar
    // The opening brace of block 0's JSON header, 512 bytes of tar header in.
    let brace = try #require(damaged.indices.first { $0 >= 512 && damaged[$0] == 0x7B })
    damaged[brace] = 0x7C
    let tgz = GzipBuilder.member(damaged, crc: CRC32.checksum(tar))
    let path = try fixture.write(fixture.tgzName, tgz)
    let problems = try fixture.problems([path])
    #expect(problems.count == 2)
    #expect(problems.first == "\(path): crc_mismatch at offset \(tgz.count - 8): member 1: the trailer "
      + "gives CRC-32 \(ArchiveBytes.hex(CRC32.checksum(tar), digits: 8)) but the data has "
      + "\(ArchiveBytes.hex(CRC32.checksum(damaged), digits: 8))")
    #expect(problems.last == "\(path)!\(fixture.datName): dat_bad_header at offset \(brace - 512): "
      + "the header of block 0 is not valid JSON: unexpected character")
  }

  @Test func zeroPaddingIsANoteButOtherBytesAreGarbage() throws {
    let tgz = fixture.tgz
    let padded = try fixture.write("a/" + fixture.tgzName, tgz + [UInt8](repeating: 0, count: 512))
    let garbage = try fixture.write("b/" + fixture.tgzName, tgz + [0, 0, 7])
    let result = try fixture.verify([padded, garbage])
    #expect(
      result.problems.map(\.line) == [
        "\(garbage): trailing_garbage at offset \(tgz.count + 2): non-zero bytes follow 2 zero "
          + "bytes after the last gzip member"
      ])
    #expect(
      result.notes.map(\.line) == [
        "\(padded): note at offset \(tgz.count): 512 zero bytes of padding after the last gzip "
          + "member"
      ])
  }

  @Test func concatenatedGzipMembersAreClean() throws {
    let tar = fixture.tar
    let split = GzipBuilder.member(Array(tar[..<700])) + GzipBuilder.member(Array(tar[700...]))
    let result = try fixture.verify([try fixture.write(fixture.tgzName, split)])
    #expect(result.ok)
    #expect(result.notes.isEmpty)
  }

  /// The tar header claims a megabyte more than the stream holds; the .dat decoder meets the
  /// tar's end blocks where its next block would be and must not count bytes that are not there.
  @Test func aTarMemberLongerThanItsStreamIsTruncatedNotTrailingBytes() throws {
    var builder = TarBuilder()
    let zeros = [UInt8](repeating: 0, count: 1024)
    builder.file(fixture.datName, fixture.dat + zeros + [UInt8](repeating: 7, count: 1 << 20))
    let tar = Array(builder.build().prefix(512 + fixture.dat.count + zeros.count))
    let path = try fixture.write(fixture.tgzName, GzipBuilder.member(tar))
    #expect(
      try fixture.problems([path]) == [
        "\(path): truncated at offset \(tar.count): the tar stream ends inside the data of "
          + "\(fixture.datName), \(1 << 20) bytes short"
      ])
  }

  @Test func aPlainTarNamedTgzIsNotGzip() throws {
    let path = try fixture.write(fixture.tgzName, fixture.tar)
    #expect(
      try fixture.problems([path]) == [
        "\(path): not_gzip at offset 0: not gzip data: starts with 0x50 0x65 instead of 0x1f 0x8b"
      ])
  }

  @Test func gzipOfSomethingElseIsNotTar() throws {
    let path = try fixture.write(fixture.tgzName, GzipBuilder.member(Array("hello".utf8)))
    #expect(
      try fixture.problems([path]) == [
        "\(path): not_tar at offset 0: not a tar archive: only 5 bytes, less than one header block"
      ])
  }

  @Test func aTarHeaderChecksumErrorNamesTheField() throws {
    var tar = TarBuilder()
    tar.file(fixture.datName, fixture.dat, checksum: .wrong)
    let header = tar.header(name: fixture.datName, size: fixture.dat.count, typeFlag: 0x30)
    let sum = header.enumerated().reduce(0) { total, pair in
      total + ((148..<156).contains(pair.offset) ? 0x20 : Int(pair.element))
    }
    let path = try fixture.write(fixture.tgzName, GzipBuilder.member(tar.build()))
    #expect(
      try fixture.problems([path]) == [
        "\(path): tar_checksum at offset 148: header checksum is \(sum + 1) but the block sums "
          + "to \(sum)"
      ])
  }

  @Test func aSecondMemberIsUnexpected() throws {
    var tar = TarBuilder()
    tar.file(fixture.datName, fixture.dat)
    tar.file("readme.txt", [1, 2, 3])
    let path = try fixture.write(fixture.tgzName, GzipBuilder.member(tar.build()))
    let secondHeader = 512 + TarBuilder.padded(fixture.dat).count
    #expect(
      try fixture.problems([path]) == [
        "\(path): unexpected_members at offset \(secondHeader): a second member, readme.txt, "
          + "follows \(fixture.datName); only one .dat is expected"
      ])
  }

  /// A tar member that would land outside the folder it is unpacked into is the same fault as
  /// such a zip entry, with the same exit status; the offset is the tar member's header.
  @Test func anUnsafeTarMemberNameIsUnsafeNameAsAZipEntrysIs() throws {
    let climbing = tgz(datName: "../" + fixture.datName, dat: fixture.dat)
    let loose = try fixture.write(fixture.tgzName, climbing)
    var longName = TarBuilder()
    let long = "/" + String(repeating: "day/", count: 30) + fixture.datName
    longName.fileWithGNULongName(long, fixture.dat)
    let tar = try fixture.write("t/" + DatBuilder.name(suffix: ".tar"), longName.build())
    let member = "2025-09-25/" + fixture.tgzName
    let (zip, built) = try fixture.zip(
      "export.zip",
      [
        ZipBuilder.Entry("../escape.tgz", fixture.tgz, method: 0),
        ZipBuilder.Entry(member, climbing, method: 0),
      ])
    let climbs = "is refused: the name climbs out of the archive with '..'"

    let result = try fixture.verify([loose, tar, zip])
    #expect(
      result.problems.map(\.line) == [
        "\(loose): unsafe_name at offset 0: the member ../\(fixture.datName) \(climbs)",
        "\(tar): unsafe_name at offset 1024: the member \(long) (named by the GNU long-name "
          + "record at offset 0) is refused: the name is an absolute path",
        "\(zip)!../escape.tgz: unsafe_name at offset \(built.centralHeaderOffsets[0]): the name "
          + "climbs out of the archive with '..'",
        "\(zip)!\(member): unsafe_name at offset 0: the member ../\(fixture.datName) \(climbs)",
      ])
    #expect(result.problems.map(\.member) == [nil, nil, "../escape.tgz", member])
    #expect(result.exitStatus == .problems)
    #expect(try fixture.verify([loose]).exitStatus == .problems)
  }

  @Test func aDatNamedOtherThanItsTgzIsUnexpected() throws {
    let path = try fixture.write(fixture.tgzName, tgz(datName: "other.dat", dat: fixture.dat))
    #expect(
      try fixture.problems([path]) == [
        "\(path): unexpected_members at offset 0: the tar holds other.dat, not "
          + "\(fixture.datName) as its name says"
      ])
  }

  @Test func aPlainTarIsAUnitToo() throws {
    let path = try fixture.write(DatBuilder.name(suffix: ".tar"), fixture.tar)
    let result = try fixture.verify([path])
    #expect(result.ok)
    #expect(result.bytesRead == Int64(fixture.tar.count))
  }
}
