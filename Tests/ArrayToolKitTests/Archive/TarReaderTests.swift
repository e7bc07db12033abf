import Testing

@testable import ArrayToolKit

@Suite struct TarReaderTests {
  /// Each member's name, kind, size, header offset and data, read in order.
  private func members(_ archive: [UInt8]) throws -> [(TarMember, [UInt8])] {
    let reader = TarReader(MemorySource(archive))
    var result: [(TarMember, [UInt8])] = []
    while let member = try reader.next() {
      result.append((member, try readAll(member.data)))
    }
    return result
  }

  private func fault(_ archive: [UInt8]) -> InputFault? {
    thrownFault { try members(archive) }
  }

  @Test func membersOfEveryKindComeBackWithTheirData() throws {
    var tar = TarBuilder()
    tar.directory("day/")
    tar.file("day/a.dat", sampleBytes(1000))
    tar.symlink("day/latest", target: "a.dat")
    tar.file("day/link", [], typeFlag: UInt8(ascii: "1"))
    tar.file("day/b.dat", sampleBytes(512, seed: 3))
    let read = try members(tar.build())
    #expect(read.map(\.0.name) == ["day/", "day/a.dat", "day/latest", "day/link", "day/b.dat"])
    #expect(
      read.map(\.0.kind) == [.directory, .regular, .symlink, .other(typeFlag: 0x31), .regular])
    #expect(read.map(\.0.size) == [0, 1000, 0, 0, 512])
    #expect(read.map(\.0.headerOffset) == [0, 512, 2048, 2560, 3072])
    #expect(read[1].1 == sampleBytes(1000))
    #expect(read[2].0.linkName == "a.dat")
    #expect(read[4].1 == sampleBytes(512, seed: 3))
    #expect(read[3].0.kind.description == "a hard link")
    // Messages name a member's kind with its article.
    #expect(TarMember.Kind(typeFlag: UInt8(ascii: "V")).description == "an entry of type 'V'")
    #expect(TarMember.Kind(typeFlag: 0x01).description == "an entry of type 1")
  }

  @Test func gnuAndOldUnixHeadersAreRead() throws {
    for format in [TarBuilder.Format.gnu, .v7] {
      var tar = TarBuilder()
      tar.format = format
      tar.file("x.dat", [1, 2, 3])
      let read = try members(tar.build())
      #expect(read.map(\.0.name) == ["x.dat"])
      #expect(read.first?.1 == [1, 2, 3])
    }
  }

  @Test func theUstarPrefixIsPartOfTheName() throws {
    var tar = TarBuilder()
    tar.file("x.dat", [9], prefix: "2025-09-25/controller-a")
    #expect(try members(tar.build()).map(\.0.name) == ["2025-09-25/controller-a/x.dat"])
  }

  @Test func gnuLongNamesAndPAXPathsReplaceTheShortName() throws {
    let long = String(repeating: "PerfData_", count: 20) + "x.dat"
    var tar = TarBuilder()
    tar.fileWithGNULongName(long, [1, 2])
    tar.globalPAX("comment", "ignored")
    tar.fileWithPAXPath("pax/" + long, shortName: "short.dat", [3])
    let read = try members(tar.build())
    #expect(read.map(\.0.name) == [long, "pax/" + long])
    // A member's offset is that of its own header, after its extension header and that one's
    // data block (and here after the global header and its data).
    #expect(read.map(\.0.headerOffset) == [1024, 4096])
    #expect(read.map(\.1) == [[1, 2], [3]])
  }

  @Test func unsafeNamesAreRefusedAtTheMembersHeader() {
    var climbing = TarBuilder()
    climbing.file("a.dat", [1])
    climbing.file("day/../../b.dat", [2])
    var absolute = TarBuilder()
    absolute.file("x.dat", [1], prefix: "/var/tmp")
    var drive = TarBuilder()
    drive.file("C:x.dat", [1])
    #expect(
      [climbing, absolute, drive].map { fault($0.build()) } == [
        InputFault(
          .unsafeName, at: 1024,
          "the member day/../../b.dat is refused: the name climbs out of the archive with '..'"),
        InputFault(
          .unsafeName, at: 0, "the member /var/tmp/x.dat is refused: the name is an absolute path"),
        InputFault(
          .unsafeName, at: 0, "the member C:x.dat is refused: the name starts with a drive letter"),
      ])
  }

  /// The name checked is the one a reader would use: a long name that climbs out behind a short
  /// name that does not is refused, a short name the PAX path replaces does not matter.
  @Test func theNameInUseIsCheckedAfterLongNamesAndPAXPaths() throws {
    let long = String(repeating: "PerfData_", count: 12) + "/../../x.dat"
    var gnu = TarBuilder()
    gnu.fileWithGNULongName(long, [1])
    var pax = TarBuilder()
    pax.file("a.dat", [1])
    pax.fileWithPAXPath("/etc/x.dat", shortName: "x.dat", [2])
    #expect(
      [gnu, pax].map { fault($0.build()) } == [
        InputFault(
          .unsafeName, at: 1024,
          "the member \(long) (named by the GNU long-name record at offset 0) is refused: the "
            + "name climbs out of the archive with '..'"),
        InputFault(
          .unsafeName, at: 2048,
          "the member /etc/x.dat (named by the PAX header at offset 1024) is refused: the name "
            + "is an absolute path"),
      ])

    var replaced = TarBuilder()
    replaced.fileWithPAXPath("day/x.dat", shortName: "../x.dat", [3])
    #expect(try members(replaced.build()).map(\.0.name) == ["day/x.dat"])
  }

  /// No writer puts two extension headers of one kind before a member; a chain of them (a
  /// long-name record after a long-name record, over and over) would keep a reader busy for as
  /// long as the stream lasts without a member, so the second is a bad header.
  @Test func aSecondExtensionHeaderOfAKindBeforeAMemberIsABadHeader() throws {
    var chain = TarBuilder()
    for _ in 0..<100 { chain.raw(chain.gnuLongName("day/x.dat")) }
    chain.file("x.dat", [1])
    var globals = TarBuilder()
    globals.file("a.dat", [1])
    globals.globalPAX("comment", "first")
    globals.globalPAX("comment", "second")
    globals.file("b.dat", [2])
    #expect(
      [chain, globals].map { fault($0.build()) } == [
        InputFault(
          .badHeader, at: 1024,
          "a second GNU long-name record follows the one at offset 0 with no member between them"),
        InputFault(
          .badHeader, at: 2048,
          "a second PAX global header follows the one at offset 1024 with no member between them"),
      ])

    // One of each kind is what GNU tar and PAX writers may put there.
    var oneOfEach = TarBuilder()
    oneOfEach.globalPAX("comment", "export")
    oneOfEach.raw(oneOfEach.gnuLongName("day/ignored.dat"))
    oneOfEach.fileWithPAXPath("day/x.dat", shortName: "x.dat", [3])
    oneOfEach.fileWithGNULongName("day/y.dat", [4])
    #expect(try members(oneOfEach.build()).map(\.0.name) == ["day/x.dat", "day/y.dat"])
  }

  /// A long name, long link or PAX header with the end of the archive after it names nothing
  /// here, but the same bytes in front of a member name it: it is a bad header whether the
  /// stream then ends or the end blocks come first.
  @Test func anExtensionHeaderWithNoMemberAfterItIsAFault() {
    var longName = TarBuilder()
    longName.file("a.dat", [1])
    longName.raw(longName.gnuLongName("../x.dat"))
    var longLink = TarBuilder()
    longLink.file("a.dat", [1])
    longLink.raw(
      longLink.header(name: "././@LongLink", size: 6, typeFlag: UInt8(ascii: "K"))
        + TarBuilder.padded(Array("/etc\0\0".utf8)))
    var pax = TarBuilder()
    pax.file("a.dat", [1])
    let records = TarBuilder.paxRecord("path", "/etc/x.dat")
    pax.raw(
      pax.header(name: "PaxHeaders.0/x", size: records.count, typeFlag: 0x78)
        + TarBuilder.padded(records))
    #expect(
      [longName, longLink, pax].map { fault($0.build()) } == [
        InputFault(
          .badHeader, at: 1024,
          "the GNU long-name record is followed by the end of the archive, not by a member"),
        InputFault(
          .badHeader, at: 1024,
          "the GNU long-link record is followed by the end of the archive, not by a member"),
        InputFault(
          .badHeader, at: 1024,
          "the PAX header is followed by the end of the archive, not by a member"),
      ])
    #expect(
      fault(longLink.build(endBlocks: 0, recordSize: nil))
        == InputFault(.truncated, at: 2048, "the tar stream ends after an extension header"))
  }

  /// GNU tar names a member by its PAX path and Python's tarfile by a long-name record before
  /// the PAX header; GNU tar also takes a `path` from a global header for the members after it.
  @Test func namesSomeReadersUseInsteadOfTheOneInUseAreCheckedToo() {
    var both = TarBuilder()
    both.raw(both.gnuLongName("../../x.dat"))
    both.fileWithPAXPath("day/x.dat", shortName: "x.dat", [1])
    var global = TarBuilder()
    global.globalPAX("path", "/etc/x.dat")
    global.file("x.dat", [1])
    #expect(
      [both, global].map { fault($0.build()) } == [
        InputFault(
          .unsafeName, at: 2048,
          "the member ../../x.dat (named by the GNU long-name record at offset 0, which some "
            + "readers take over the PAX path day/x.dat) is refused: the name climbs out of "
            + "the archive with '..'"),
        InputFault(
          .unsafeName, at: 0,
          "the path /etc/x.dat of the PAX global header, which names the members after it, is "
            + "refused: the name is an absolute path"),
      ])
  }

  @Test func base256SizesAreRead() throws {
    var tar = TarBuilder()
    tar.file("big.dat", sampleBytes(700), sizeEncoding: .base256)
    let read = try members(tar.build())
    #expect(read.first?.0.size == 700)
    #expect(read.first?.1 == sampleBytes(700))
  }

  @Test func aSignedChecksumIsAccepted() throws {
    var tar = TarBuilder()
    tar.file("données-ü.dat", [7], checksum: .signed)
    #expect(try members(tar.build()).map(\.0.name) == ["données-ü.dat"])
  }

  @Test func aWrongChecksumIsATarChecksumFaultAtItsField() {
    var tar = TarBuilder()
    tar.file("a.dat", [1])
    tar.file("b.dat", [2], checksum: .wrong)
    #expect(
      fault(tar.build())
        == InputFault(
          .tarChecksum, at: 1024 + 148, "header checksum is 4434 but the block sums to 4433"))
  }

  @Test func aWrongChecksumInTheFirstUstarHeaderIsStillATarChecksumFault() {
    var tar = TarBuilder()
    tar.file("a.dat", [1], checksum: .wrong)
    #expect(fault(tar.build())?.kind == .tarChecksum)
    #expect(fault(tar.build())?.offset == 148)
  }

  @Test func somethingElseIsNotATar() {
    #expect(
      fault(sampleBytes(2048))
        == InputFault(.notTar, at: 0, "not a tar archive: the first block is no tar header"))
    #expect(
      fault(Array("hello".utf8))
        == InputFault(.notTar, at: 0, "not a tar archive: only 5 bytes, less than one header block")
    )
  }

  @Test func anArchiveCutInsideAMemberIsTruncatedWhereItEnds() {
    var tar = TarBuilder()
    tar.file("a.dat", sampleBytes(2000))
    let cut = Array(tar.build().prefix(512 + 700))
    #expect(
      fault(cut)
        == InputFault(
          .truncated, at: 1212, "the tar stream ends inside the data of a.dat, 1300 bytes short"))
  }

  @Test func anArchiveCutInsideAHeaderOrPaddingIsTruncated() {
    var tar = TarBuilder()
    tar.file("a.dat", sampleBytes(100))
    tar.file("b.dat", sampleBytes(100))
    let archive = tar.build()
    #expect(
      fault(Array(archive.prefix(1024 + 300)))
        == InputFault(.truncated, at: 1324, "the tar stream ends inside a header block"))
    #expect(
      fault(Array(archive.prefix(512 + 300)))
        == InputFault(.truncated, at: 812, "the tar stream ends 212 bytes before the next header"))
  }

  @Test func oneZeroBlockBeforeTheEndIsEnoughAndNoneGetsANote() throws {
    var tar = TarBuilder()
    tar.file("a.dat", [1])
    let oneBlock = TarReader(MemorySource(tar.build(endBlocks: 1, recordSize: nil)))
    #expect(try oneBlock.next()?.name == "a.dat")
    #expect(try oneBlock.next() == nil)
    #expect(oneBlock.notes.isEmpty)

    let none = TarReader(MemorySource(tar.build(endBlocks: 0, recordSize: nil)))
    #expect(try none.next()?.name == "a.dat")
    #expect(try none.next() == nil)
    #expect(none.notes == [InputNote(at: 1024, "the tar archive has no end-of-archive blocks")])
  }

  @Test func aLoneZeroBlockBetweenMembersIsSkippedWithANote() throws {
    var tar = TarBuilder()
    tar.file("a.dat", [1])
    tar.raw([UInt8](repeating: 0, count: 512))
    tar.file("b.dat", [2])
    let reader = TarReader(MemorySource(tar.build()))
    #expect(try reader.next()?.name == "a.dat")
    #expect(try reader.next()?.name == "b.dat")
    #expect(try reader.next() == nil)
    #expect(
      reader.notes == [InputNote(at: 1024, "a single zero block inside the archive was skipped")])
  }

  @Test func unreadDataIsSkippedAndOldDataStreamsGoDry() throws {
    var tar = TarBuilder()
    tar.file("a.dat", sampleBytes(3000))
    tar.file("b.dat", [5, 6])
    let reader = TarReader(MemorySource(tar.build()))
    let first = try #require(try reader.next())
    var buffer = [UInt8](repeating: 0, count: 10)
    #expect(try buffer.withUnsafeMutableBytes { try first.data.read(into: $0) } == 10)
    let second = try #require(try reader.next())
    #expect(second.name == "b.dat")
    #expect(try buffer.withUnsafeMutableBytes { try first.data.read(into: $0) } == 0)
    #expect(try readAll(second.data) == [5, 6])
  }

  @Test func theRecordPaddingIsReadToTheEndAndGarbageThereIsFound() throws {
    var tar = TarBuilder()
    tar.file("a.dat", [1])
    let clean = TarReader(MemorySource(tar.build()))
    while try clean.next() != nil {}
    try clean.readToEnd()
    #expect(clean.bytesRead == 10240)

    var dirty = tar.build()
    dirty[5000] = 0x41
    let reader = TarReader(MemorySource(dirty))
    while try reader.next() != nil {}
    #expect(
      throws: InputFault(
        .trailingGarbage, at: 5000, "non-zero bytes follow the end of the tar archive")
    ) {
      try reader.readToEnd()
    }
  }

  @Test func unreadableSizeFieldsAndPAXRecordsAreBadHeaders() {
    var negative = TarBuilder()
    var block = negative.header(name: "a.dat", size: 0, typeFlag: 0x30)
    block.replaceSubrange(124..<136, with: [UInt8](repeating: 0xff, count: 12))
    negative.raw(TarReaderTests.withChecksum(block))
    #expect(
      fault(negative.build())
        == InputFault(.badHeader, at: 124, "the size field holds a negative number"))

    var letters = TarBuilder()
    block = letters.header(name: "a.dat", size: 0, typeFlag: 0x30)
    block.replaceSubrange(124..<136, with: Array("00000000x12\u{0}".utf8))
    letters.raw(TarReaderTests.withChecksum(block))
    #expect(
      fault(letters.build())
        == InputFault(.badHeader, at: 124, "the size field is not an octal number"))

    var pax = TarBuilder()
    let records = Array("30 path=too-short\n".utf8)
    pax.raw(pax.header(name: "PaxHeaders/a", size: records.count, typeFlag: 0x78))
    pax.raw(TarBuilder.padded(records))
    pax.file("a.dat", [1])
    #expect(
      fault(pax.build())
        == InputFault(.badHeader, at: 512, "malformed PAX record at byte 0 of its data"))
  }

  /// `block` with its checksum field recomputed after an edit.
  private static func withChecksum(_ block: [UInt8]) -> [UInt8] {
    var fixed = block
    fixed.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
    let sum = String(fixed.map(Int.init).reduce(0, +), radix: 8)
    let field = Array((String(repeating: "0", count: 6 - sum.count) + sum).utf8) + [0, 0x20]
    fixed.replaceSubrange(148..<156, with: field)
    return fixed
  }

  @Test func absurdExtensionHeadersAreRefusedBeforeAllocating() {
    var tar = TarBuilder()
    tar.raw(tar.header(name: "././@LongLink", size: 5_000_000, typeFlag: UInt8(ascii: "L")))
    #expect(
      fault(tar.build())
        == InputFault(
          .badHeader, at: 124, "an extension header claims 5000000 bytes (at most 1048576 accepted)"
        ))
  }
}
