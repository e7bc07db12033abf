import Dispatch
import Testing

@testable import ArrayToolKit

@Suite struct ZipEntryReadingTests {
  let fixture: ZipFixture
  let data = sampleBytes(300_000)

  init() throws {
    fixture = try ZipFixture()
  }

  /// The archive of one `entry` and what reading it to the end gives or throws.
  private func read(_ entry: ZipBuilder.Entry) throws -> (ZipBuilder.Output, Result<[UInt8], Error>)
  {
    var zip = ZipBuilder()
    zip.add(entry)
    let built = zip.build()
    let archive = try fixture.open(built.bytes)
    return (built, Result { try readAll(archive.open(archive.entries[0]), chunk: 65536) })
  }

  private func faultReading(_ entry: ZipBuilder.Entry) throws -> (ZipBuilder.Output, InputFault?) {
    let (built, result) = try read(entry)
    return (built, thrownFault { try result.get() })
  }

  @Test func storedAndDeflatedEntriesComeBack() throws {
    for method: UInt16 in [0, 8] {
      #expect(try read(.init("a.dat", data, method: method)).1.get() == data)
    }
  }

  /// A long run of one byte deflates to a few long matches; when the output buffer fills in
  /// the middle of the last one, zlib still holds its rest after the input has all gone in.
  @Test func outputPendingInZlibAtTheEndOfTheEntryIsNotTruncation() throws {
    for count in [1 << 20, 2 << 20, 8 << 20] {
      let text = [UInt8](repeating: UInt8(ascii: "a"), count: count) + [UInt8(ascii: "\n")]
      let (_, result) = try read(.init("SHA256SUMS", text, method: 8))
      #expect(try result.get() == text)
    }
  }

  @Test func dataDescriptorsWithAndWithoutSignatureAreChecked() throws {
    for descriptor in [ZipBuilder.Descriptor.withSignature, .withoutSignature] {
      for zip64 in [false, true] {
        for method: UInt16 in [0, 8] {
          var entry = ZipBuilder.Entry("a.dat", data, method: method)
          entry.descriptor = descriptor
          entry.zip64 = zip64
          #expect(try read(entry).1.get() == data)
        }
      }
    }
  }

  @Test func aDescriptorThatDisagreesWithTheDirectoryIsABadHeader() throws {
    var zip = ZipBuilder()
    var entry = ZipBuilder.Entry("a.dat", data, method: 0)
    entry.descriptor = .withSignature
    zip.add(entry)
    var built = zip.build()
    let descriptor = built.dataOffsets[0] + data.count
    built.bytes[descriptor + 8] ^= 0xff  // the compressed size in the descriptor
    let archive = try fixture.open(built.bytes)
    #expect(
      thrownFault { try readAll(archive.open(archive.entries[0])) }
        == InputFault(
          .badHeader, at: Int64(descriptor),
          "the data descriptor does not match the central directory's CRC-32 and sizes",
          path: fixture.path, member: "a.dat"))
  }

  @Test func aWrongCRCInEveryHeaderIsACRCMismatchAtTheEndOfTheData() throws {
    var entry = ZipBuilder.Entry("a.dat", data)
    entry.crcEverywhere = 0xdead_beef
    let (built, fault) = try faultReading(entry)
    let end = built.centralDirectoryOffset
    #expect(
      fault
        == InputFault(
          .crcMismatch, at: Int64(end),
          "the data has CRC-32 \(ArchiveBytes.hex(CRC32.checksum(data), digits: 8)) but the "
            + "central directory gives 0xdeadbeef", path: fixture.path, member: "a.dat"))
  }

  @Test func aWrongCRCOnlyInTheDirectoryDisagreesWithTheLocalHeader() throws {
    var entry = ZipBuilder.Entry("a.dat", [1, 2, 3], method: 0)
    entry.centralCRC = 0x0000_0001
    let crc = ArchiveBytes.hex(CRC32.checksum([1, 2, 3]), digits: 8)
    #expect(
      try faultReading(entry).1
        == InputFault(
          .badHeader, at: 14,
          "the local header gives CRC-32 \(crc) and sizes 3/3, the central directory 0x00000001 "
            + "and 3/3", path: fixture.path, member: "a.dat"))

    // With a data descriptor the local header says nothing; the data itself disagrees.
    entry.descriptor = .withoutSignature
    #expect(try faultReading(entry).1?.kind == .crcMismatch)
    #expect(try faultReading(entry).1?.offset == 38)
  }

  @Test func anEntryThatInflatesBeyondItsSizeIsStoppedEarly() throws {
    var entry = ZipBuilder.Entry("a.dat", data)
    entry.descriptor = .withSignature
    entry.centralUncompressedSize = 1000
    let fault = try faultReading(entry).1
    #expect(fault?.kind == .sizeMismatch)
    #expect(
      fault?.message
        == "the entry inflates to more than the 1000 bytes the central directory gives")
  }

  @Test func aLocalHeaderWithAnotherNameIsABadHeader() throws {
    var entry = ZipBuilder.Entry("a.dat", [1])
    entry.localName = "b.dat"
    #expect(
      try faultReading(entry).1
        == InputFault(
          .badHeader, at: 30, "the local header names \"b.dat\", the central directory \"a.dat\"",
          path: fixture.path, member: "a.dat"))
  }

  /// Only an entry that can be read takes its bytes: a record whose local header names
  /// another entry reads nothing, and leaves the header to the record it does belong to.
  @Test func aRecordThatCannotReadTheHeaderItPointsAtLeavesItToTheNext() throws {
    var misnamed = ZipBuilder.Entry("a.dat", data)
    misnamed.localName = "b.dat"
    var owner = ZipBuilder.Entry("b.dat", data)
    owner.localHeaderAt = 0
    var zip = ZipBuilder()
    zip.add(misnamed)
    zip.add(owner)
    let archive = try fixture.open(zip.build().bytes)
    #expect(thrownFault { try archive.open(archive.entries[0]) }?.kind == .badHeader)
    #expect(try readAll(archive.open(archive.entries[1]), chunk: 65536) == data)
  }

  @Test func encryptedAndUnknownMethodsAreRefused() throws {
    var encrypted = ZipBuilder.Entry("secret.tgz", [1, 2, 3])
    encrypted.encrypted = true
    let (built, fault) = try faultReading(encrypted)
    #expect(
      fault
        == InputFault(
          .encrypted, at: Int64(built.centralHeaderOffsets[0]),
          "the entry is encrypted and cannot be read", path: fixture.path, member: "secret.tgz"))

    let (bzipBuilt, bzip) = try faultReading(.init("a.tgz", [0x42, 0x5a, 0x68], method: 12))
    #expect(
      bzip
        == InputFault(
          .unsupportedMethod, at: Int64(bzipBuilt.centralHeaderOffsets[0]),
          "compressed with bzip2 (method 12); only stored and deflate entries can be read",
          path: fixture.path, member: "a.tgz"))
    let other = try faultReading(.init("a.tgz", [1], method: 77)).1
    #expect(
      other?.message
        == "compressed with method 77; only stored and deflate entries can be read")
  }

  @Test func corruptDeflateDataIsABadHeaderWithZlibsMessage() throws {
    let (_, fault) = try faultReading(.init("a.dat", [0xff, 0xff, 0xff], method: 0))
    #expect(fault == nil)  // stored: the bytes are just data

    var zip = ZipBuilder()
    zip.add(.init("a.dat", [1, 2, 3]))
    var built = zip.build()
    built.bytes[built.dataOffsets[0]] = 0xff
    let archive = try fixture.open(built.bytes)
    #expect(
      thrownFault { try readAll(archive.open(archive.entries[0])) }
        == InputFault(
          .badHeader, at: 36, "corrupt deflate data: invalid block type", path: fixture.path,
          member: "a.dat"))
  }

  @Test func aDeflateStreamCutInsideTheEntryIsTruncated() throws {
    var entry = ZipBuilder.Entry("a.dat", data)
    entry.storedData = Array(Gzip.rawDeflate(data).prefix(1000))
    #expect(
      try faultReading(entry).1
        == InputFault(
          .truncated, at: 35 + 1000,
          "the entry's compressed data (1000 bytes) ends inside the deflate stream",
          path: fixture.path, member: "a.dat"))
  }

  @Test func bytesAfterTheDeflateStreamInsideTheEntryAreASizeMismatch() throws {
    var entry = ZipBuilder.Entry("a.dat", data)
    let deflated = Gzip.rawDeflate(data)
    entry.storedData = deflated + [1, 2, 3]
    #expect(
      try faultReading(entry).1
        == InputFault(
          .sizeMismatch, at: Int64(35 + deflated.count),
          "the deflate stream ends after \(deflated.count) bytes but the central directory gives "
            + "a compressed size of \(deflated.count + 3)", path: fixture.path, member: "a.dat"))
  }

  @Test func anEntryWhoseDataRunsPastTheFileIsTruncated() throws {
    var zip = ZipBuilder()
    zip.add(.init("a.dat", sampleBytes(100), method: 0))
    var built = zip.build()
    // Claim 100000 bytes in both headers: the data would run far past the end of the file.
    for offset in [18, 22, built.centralHeaderOffsets[0] + 20, built.centralHeaderOffsets[0] + 24] {
      built.bytes.replaceSubrange(offset..<(offset + 4), with: le32(100_000))
    }
    let archive = try fixture.open(built.bytes)
    #expect(
      thrownFault { try archive.open(archive.entries[0]) }
        == InputFault(
          .truncated, at: 208, "the file ends 99827 bytes before the end of the entry's data",
          path: fixture.path, member: "a.dat"))
  }

  @Test func entriesCanBeReadAtTheSameTimeOnSeveralThreads() throws {
    var zip = ZipBuilder()
    let contents = (0..<8).map { sampleBytes(200_000 + $0, seed: UInt32($0)) }
    for (index, content) in contents.enumerated() {
      zip.add(.init("\(index).dat", content, method: index % 2 == 0 ? 8 : 0))
    }
    let archive = try fixture.open(zip.build().bytes)
    final class Results: @unchecked Sendable {
      var values = [[UInt8]?](repeating: nil, count: 8)
    }
    let results = Results()
    let lock = DispatchQueue(label: "results")
    DispatchQueue.concurrentPerform(iterations: 8) { index in
      let bytes = try? readAll(archive.open(archive.entries[index]), chunk: 1000 + index)
      lock.sync { results.values[index] = bytes }
    }
    #expect(results.values == contents.map { $0 })
  }
}
