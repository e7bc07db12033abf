import Testing

@testable import ArrayToolKit

@Suite struct GzipReaderTests {
  let data = sampleBytes(100_000)

  private func gunzip(_ bytes: [UInt8], chunk: Int = 4096) throws -> (GzipReader, [UInt8]) {
    let reader = GzipReader(MemorySource(bytes))
    return (reader, try readAll(reader, chunk: chunk))
  }

  private func fault(_ bytes: [UInt8]) -> InputFault? {
    thrownFault { try gunzip(bytes) }
  }

  @Test func everyHeaderFieldIsReadAndTheDataComesBack() throws {
    let member = GzipBuilder.member(
      data, name: "x.dat", comment: "a comment", extra: [1, 2, 3, 4], text: true, headerCRC: true)
    let (reader, output) = try gunzip(member)
    #expect(output == data)
    #expect(reader.membersRead == 1)
    #expect(reader.bytesProduced == 100_000)
    #expect(reader.compressedBytesRead == Int64(member.count))
    #expect(reader.notes.isEmpty)
  }

  @Test func anExtraFieldLargerThanTheReadBufferIsSkipped() throws {
    let member = GzipBuilder.member(data, extra: sampleBytes(60_000), headerCRC: true)
    let reader = GzipReader(MemorySource(member), size: 100)
    #expect(try readAll(reader) == data)
    #expect(
      fault(Array(member.prefix(30_000)))
        == InputFault(
          .truncated, at: 30_000, "the gzip stream ends inside the extra field of member 1"))
  }

  @Test func tinyAndHugeReadsGiveTheSameBytes() throws {
    let member = GzipBuilder.member(data)
    #expect(try gunzip(member, chunk: 7).1 == data)
    #expect(try gunzip(member, chunk: 1 << 20).1 == data)
  }

  @Test func concatenatedMembersAreReadOneAfterTheOther() throws {
    let second = sampleBytes(5000, seed: 9)
    let bytes = GzipBuilder.member(data) + GzipBuilder.member([]) + GzipBuilder.member(second)
    let (reader, output) = try gunzip(bytes)
    #expect(output == data + second)
    #expect(reader.membersRead == 3)
  }

  @Test func emptyInputIsTruncatedAtZero() {
    #expect(fault([]) == InputFault(.truncated, at: 0, "the gzip stream is empty"))
  }

  @Test func otherDataIsNotGzip() {
    #expect(
      fault(Array("PK\u{3}\u{4} and more bytes".utf8))
        == InputFault(
          .notGzip, at: 0, "not gzip data: starts with 0x50 0x4b (\"PK\", a zip archive)"))
    #expect(
      fault(Array("hello world".utf8))
        == InputFault(.notGzip, at: 0, "not gzip data: starts with 0x68 0x65 instead of 0x1f 0x8b"))
    #expect(
      fault([0x41])
        == InputFault(.notGzip, at: 0, "not gzip data: starts with 0x41 instead of 0x1f 0x8b"))
  }

  @Test func aCutInsideTheCompressedDataIsTruncatedWhereTheInputEnds() {
    let member = GzipBuilder.member(data)
    #expect(
      fault(Array(member.prefix(5000)))
        == InputFault(
          .truncated, at: 5000, "the gzip stream ends inside the compressed data of member 1"))
  }

  @Test func aCutInsideTheHeaderOrTrailerIsTruncatedToo() {
    let member = GzipBuilder.member(data, name: "a-long-file-name.dat")
    #expect(
      fault(Array(member.prefix(15)))
        == InputFault(.truncated, at: 15, "the gzip stream ends inside the file name of member 1"))
    #expect(
      fault(Array(member.prefix(6)))
        == InputFault(
          .truncated, at: 6, "the gzip stream ends inside the member header of member 1"))
    let cut = member.count - 3
    #expect(
      fault(Array(member.prefix(cut)))
        == InputFault(
          .truncated, at: Int64(cut), "the gzip stream ends inside the member trailer of member 1"))
  }

  @Test func aCutSecondMemberNamesItsNumber() {
    let first = GzipBuilder.member(data)
    let bytes = first + GzipBuilder.member(data).prefix(12)
    #expect(
      fault(bytes)
        == InputFault(
          .truncated, at: Int64(first.count + 12),
          "the gzip stream ends inside the compressed data of member 2"))
  }

  @Test func aWrongCRCOrLengthInTheTrailerIsReportedAtItsField() {
    let badCRC = GzipBuilder.member(data, crc: 0x1234_5678)
    let actual = ArchiveBytes.hex(CRC32.checksum(data), digits: 8)
    #expect(
      fault(badCRC)
        == InputFault(
          .crcMismatch, at: Int64(badCRC.count - 8),
          "member 1: the trailer gives CRC-32 0x12345678 but the data has \(actual)"))
    let badLength = GzipBuilder.member(data, length: 99)
    #expect(
      fault(badLength)
        == InputFault(
          .sizeMismatch, at: Int64(badLength.count - 4),
          "member 1: the trailer gives a length of 99 bytes (mod 2^32) but the data is 100000 bytes"
        ))
  }

  @Test func theDataBeforeAFailedTrailerIsStillDelivered() throws {
    let reader = GzipReader(MemorySource(GzipBuilder.member(data, crc: 1)))
    var buffer = [UInt8](repeating: 0, count: 200_000)
    var delivered = 0
    #expect(throws: InputFault.self) {
      while true {
        let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
        if count == 0 { break }
        delivered += count
      }
    }
    #expect(delivered == 100_000)
    // The fault stays: reading again throws the same.
    #expect(throws: InputFault.self) {
      _ = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
    }
  }

  @Test func headerProblemsAreBadHeaders() {
    var method = GzipBuilder.member(data)
    method[2] = 7
    #expect(
      fault(method) == InputFault(.badHeader, at: 2, "compression method 7 is not deflate (8)"))
    var flags = GzipBuilder.member(data)
    flags[3] = 0x20
    #expect(
      fault(flags)
        == InputFault(.badHeader, at: 3, "reserved header flag bits are set (flags 0x20)"))
    let headerCRC = GzipBuilder.member(data, name: "x", wrongHeaderCRC: 0xbeef)
    let right = UInt16(
      truncatingIfNeeded: CRC32.checksum([0x1f, 0x8b, 8, 0x0a, 0, 0, 0, 0, 0, 3, 0x78, 0]))
    #expect(
      fault(headerCRC)
        == InputFault(
          .badHeader, at: 12,
          "header CRC-16 is 0xbeef but the header gives \(ArchiveBytes.hex(right, digits: 4))"))
  }

  @Test func corruptDeflateDataCarriesZlibsMessage() {
    let bytes: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]
    #expect(
      fault(bytes)
        == InputFault(.badHeader, at: 11, "corrupt deflate data in member 1: invalid block type"))
  }

  @Test func zeroPaddingAfterTheLastMemberIsANote() throws {
    let member = GzipBuilder.member(data)
    let (reader, output) = try gunzip(member + [UInt8](repeating: 0, count: 700))
    #expect(output == data)
    #expect(
      reader.notes
        == [
          InputNote(at: Int64(member.count), "700 zero bytes of padding after the last gzip member")
        ])
  }

  @Test func otherBytesAfterTheLastMemberAreTrailingGarbage() {
    let member = GzipBuilder.member(data)
    #expect(
      fault(member + Array("junk".utf8))
        == InputFault(
          .trailingGarbage, at: Int64(member.count),
          "bytes that are not a gzip member follow member 1"))
    #expect(
      fault(member + [0, 0, 0, 0, 0, 7])
        == InputFault(
          .trailingGarbage, at: Int64(member.count + 5),
          "non-zero bytes follow 5 zero bytes after the last gzip member"))
    // A lone 0x1f is not the start of another member.
    #expect(
      fault(member + [0x1f])
        == InputFault(
          .trailingGarbage, at: Int64(member.count),
          "bytes that are not a gzip member follow member 1"))
  }
}
