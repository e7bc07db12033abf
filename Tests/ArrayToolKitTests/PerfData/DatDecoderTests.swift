import Testing

@testable import ArrayToolKit

@Suite struct DatDecoderTests {
  /// Decodes `bytes` and returns every value per block with the fault that ended it.
  func decode(_ bytes: [UInt8], length: Int64? = nil) -> (values: [[Int32]], fault: InputFault?) {
    let decoder = DatDecoder(source: MemorySource(bytes), length: length, chunkBytes: 64)
    var values: [[Int32]] = []
    do {
      while let chunk = try decoder.nextChunk() {
        if chunk.block.index >= values.count { values.append([]) }
        let width = chunk.block.header.valuesPerRow
        for row in 0..<chunk.rowCount {
          for position in 0..<width {
            values[chunk.block.index].append(
              chunk.value(row: row, valueIndex: position, valuesPerRow: width))
          }
        }
      }
      return (values, nil)
    } catch let fault as InputFault {
      return (values, fault)
    } catch {
      Issue.record("unexpected error \(error)")
      return (values, nil)
    }
  }

  let twoTypes = TestBlock(
    start: 1000, end: 1000 + 4 * 60, archive: 60,
    resources: [
      TestResource(typeID: 207, elements: [("1", "CTE0.A"), ("2", "CTE0.B")], metrics: [22, 5]),
      TestResource(typeID: 11, elements: [("9", "lun, \"x\"")], metrics: [22]),
    ])

  @Test func fileHeaderFieldsAreRead() throws {
    let bytes = DatBuilder.file([twoTypes])
    let decoder = DatDecoder(source: MemorySource(bytes), length: Int64(bytes.count))
    let header = try decoder.readFileHeader()
    #expect(header.version == 1)
    #expect(header.serial == "2102350TST10KA000042")
    #expect(header.model == "OceanStorDorado5000V6")
    #expect(header.declaredLength == UInt32(bytes.count - 337))
  }

  @Test func rowsComeOutInOrderAcrossChunks() {
    let bytes = DatBuilder.file([twoTypes, twoTypes])
    let result = decode(bytes, length: Int64(bytes.count))
    #expect(result.fault == nil)
    let expected = (0..<4).flatMap { row in (0..<5).map { Int32(row * 1000 + $0) } }
    #expect(result.values == [expected, expected])
  }

  @Test func mapOrderDecidesTheRowLayout() throws {
    let bytes = DatBuilder.file([twoTypes])
    let decoder = DatDecoder(source: MemorySource(bytes), length: nil)
    let chunk = try #require(try decoder.nextChunk())
    #expect(chunk.block.header.resources.map(\.typeID) == [207, 11])
    #expect(chunk.block.header.resources[1].elementNames == ["lun, \"x\""])
    #expect(chunk.block.header.rowCount == 4)
    #expect(chunk.block.header.valuesPerRow == 5)
  }

  @Test func fileEndingInsideTheFixedHeaderIsTruncated() {
    let result = decode(Array(DatBuilder.fileHeader().prefix(100)))
    #expect(
      result.fault
        == InputFault(
          .datTruncated, at: 100,
          "the file ends after 100 bytes, inside the 337-byte file header"))
  }

  @Test func textWhereTheVersionWouldBeIsNoPerformanceData() {
    let log = Array("2025-10-07 01:15:00,000 INFO importer: starting, 16 workers\n".utf8)
    #expect(
      decode(log + log + log + log + log + log).fault
        == InputFault(
          .notDat, at: 32,
          "not a performance data file: the format version field holds 1702130287, more than "
            + "65535"))
    // Text too short for a whole header is no .dat cut short either.
    #expect(decode(Array(log.prefix(40))).fault?.kind == .notDat)
  }

  @Test func aSerialOrModelThatIsNoNameIsNoPerformanceData() {
    var controlInSerial = DatBuilder.file([twoTypes])
    controlInSerial[40] = 0x0A
    #expect(
      decode(controlInSerial).fault
        == InputFault(
          .notDat, at: 36,
          "not a performance data file: the array serial number field holds the control "
            + "character \\n"))
    var notUTF8Model = DatBuilder.file([twoTypes])
    notUTF8Model[293] = 0xFF
    #expect(
      decode(notUTF8Model).fault
        == InputFault(
          .notDat, at: 292, "not a performance data file: the array model field is not UTF-8 text"))
    #expect(
      decode(DatBuilder.fileHeader(serial: "") + DatBuilder.block(twoTypes)).fault
        == InputFault(
          .notDat, at: 36, "not a performance data file: the array serial number field is empty"))
  }

  @Test func aPlausibleHeaderWithABlankModelOrBytesAfterThePaddingIsRead() {
    var bytes = DatBuilder.fileHeader(model: "") + DatBuilder.block(twoTypes)
    bytes[36 + 200] = 0x7F
    let result = decode(bytes)
    #expect(result.fault == nil)
    #expect(result.values.map(\.count) == [20])
  }

  @Test func fileEndingInsideABlockPrefixIsTruncated() {
    let bytes = DatBuilder.file([twoTypes]) + [0, 0, 0]
    let result = decode(bytes)
    #expect(result.values.count == 1)
    #expect(
      result.fault
        == InputFault(
          .datTruncated, at: Int64(bytes.count - 3),
          "the file ends inside the 8-byte prefix of block 1 (3 bytes left)"))
  }

  @Test func fileEndingInsideARowKeepsTheCompleteRows() {
    let full = DatBuilder.file([twoTypes])
    let cut = Array(full.prefix(full.count - 6))
    let result = decode(cut)
    #expect(result.values[0].count == 3 * 5)
    let firstRowOffset = 337 + 8 + twoTypes.headerJSON.utf8.count
    #expect(
      result.fault
        == InputFault(
          .datTruncated, at: Int64(firstRowOffset + 3 * 20),
          "the file ends inside row 3 of block 0 (4 rows expected, 3 complete)"))
  }

  @Test func fileEndingInsideABlockHeaderIsTruncated() {
    let full = DatBuilder.file([twoTypes])
    let cut = Array(full.prefix(337 + 8 + 10))
    let result = decode(cut)
    #expect(
      result.fault
        == InputFault(
          .datTruncated, at: 337 + 8 + 10,
          "the file ends inside the header of block 0 (10 of "
            + "\(twoTypes.headerJSON.utf8.count) bytes)"))
  }

  @Test func headerThatIsNotJSONIsABadHeader() {
    let bytes = DatBuilder.fileHeader() + DatBuilder.block(twoTypes, headerJSON: "{\"StartTime\":1,}")
    let result = decode(bytes)
    #expect(
      result.fault
        == InputFault(
          .datBadHeader, at: 337 + 8 + 15,
          "the header of block 0 is not valid JSON: expected a key"))
  }

  @Test func missingFieldIsABadHeader() {
    let json = "{\"StartTime\":\"0\",\"EndTime\":\"60\",\"Map\":{}}"
    let result = decode(DatBuilder.fileHeader() + DatBuilder.block(twoTypes, headerJSON: json))
    #expect(result.fault == InputFault(.datBadHeader, at: 345, "block 0: the header has no Archive"))
  }

  @Test func endBeforeStartIsABadHeader() {
    var block = twoTypes
    block.end = 900
    let bytes = DatBuilder.fileHeader() + DatBuilder.block(twoTypes, headerJSON: block.headerJSON)
    #expect(
      decode(bytes).fault
        == InputFault(.datBadHeader, at: 345, "block 0: EndTime 900 is before StartTime 1000"))
  }

  @Test func zeroArchiveIsABadHeader() {
    var block = twoTypes
    block.archive = 0
    let bytes = DatBuilder.fileHeader() + DatBuilder.block(
      twoTypes, headerJSON: block.headerJSON)
    #expect(
      decode(bytes).fault == InputFault(.datBadHeader, at: 345, "block 0: Archive is 0, must be positive"))
  }

  @Test func namesAndIDsOfDifferentLengthAreABadHeader() {
    let json = twoTypes.headerJSON.replacingOccurrences(of: "\"Names\":[\"CTE0.A\",", with: "\"Names\":[")
    let bytes = DatBuilder.fileHeader() + DatBuilder.block(twoTypes, headerJSON: json)
    #expect(
      decode(bytes).fault
        == InputFault(.datBadHeader, at: 345, "block 0: Map[207] has 2 IDs but 1 Names"))
  }

  @Test func elementNameLongerThanArraysWriteIsABadHeader() {
    var block = twoTypes
    block.resources[1].elements = [("9", String(repeating: "é", count: 2048))]
    #expect(decode(DatBuilder.file([block])).fault == nil)
    block.resources[1].elements = [("9", String(repeating: "é", count: 2048) + "x")]
    #expect(
      decode(DatBuilder.file([twoTypes, block])).fault
        == InputFault(
          .datBadHeader, at: Int64(DatBuilder.file([twoTypes]).count + 8),
          "block 1: Map[11].Names[0] is 4097 bytes long, more than the 4096 bytes arraytool "
            + "accepts"))
  }

  @Test func hugeHeaderLengthFailsAtOnceWithoutAllocating() {
    var bytes = DatBuilder.fileHeader() + DatBuilder.le32(0) + DatBuilder.le32(2_000_000_000)
    bytes += [UInt8](repeating: 0x20, count: 1024 - bytes.count)
    #expect(
      decode(bytes, length: 1024).fault
        == InputFault(
          .datBadLength, at: 337,
          "block 0 claims a 2000000000-byte header but only 687 bytes are left in the file"))
    #expect(
      decode(bytes, length: nil).fault
        == InputFault(
          .datBadLength, at: 337,
          "block 0 claims a 2000000000-byte header, more than the 16777216 bytes arraytool accepts"))
  }

  @Test func unknownBlockTypeLeavesTrailingBytes() {
    let good = DatBuilder.file([twoTypes])
    let bytes = good + DatBuilder.le32(7) + DatBuilder.le32(100) + [1, 2, 3, 4]
    let result = decode(bytes, length: Int64(bytes.count))
    #expect(result.values.count == 1)
    #expect(
      result.fault
        == InputFault(
          .datTrailingBytes, at: Int64(good.count),
          "12 bytes after the last block do not form a block (block type 7)"))
  }

  @Test func shortHeaderLengthLeavesTrailingBytesWhenLengthUnknown() {
    let good = DatBuilder.file([twoTypes])
    let bytes = good + [UInt8](repeating: 0, count: 20)
    #expect(
      decode(bytes).fault
        == InputFault(
          .datTrailingBytes, at: Int64(good.count),
          "20 bytes after the last block do not form a block (header length 0)"))
  }

  @Test func unicodeNamesSurviveTheHeader() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(
          typeID: 11, elements: [("1", "Том #1, \"быстрый\""), ("2", "卷\\二 \u{1F4BE}")],
          metrics: [22])
      ])
    let decoder = DatDecoder(source: MemorySource(DatBuilder.file([block])), length: nil)
    let chunk = try #require(try decoder.nextChunk())
    #expect(chunk.block.header.resources[0].elementNames == ["Том #1, \"быстрый\"", "卷\\二 \u{1F4BE}"])
  }

  @Test func jsonEscapesInNamesAreDecoded() throws {
    let json = try HeaderJSON.parse(Array("{\"a\":[\"\\u0416\\ud83d\\udcbe\\n\",1.5e3]}".utf8))
    #expect(json == .object([("a", .array([.string("Ж\u{1F4BE}\n"), .number("1.5e3")]))]))
  }

  @Test func timesBeyondAnyRealArrayAreABadHeader() {
    var block = twoTypes
    block.start = 10_000_000_000_000_000
    block.end = block.start + 60
    let bytes = DatBuilder.fileHeader() + DatBuilder.block(twoTypes, headerJSON: block.headerJSON)
    #expect(
      decode(bytes).fault
        == InputFault(
          .datBadHeader, at: 345,
          "block 0: StartTime 10000000000000000 is out of range (0 to 95617584000)"))
  }

  @Test func fileWithOnlyItsFixedHeaderHoldsNoBlock() {
    let bytes = DatBuilder.fileHeader()
    #expect(
      decode(bytes, length: Int64(bytes.count)).fault
        == InputFault(.datTruncated, at: 337, "the file ends after its fixed header: it holds no block"))
  }

  @Test func plausibleHeaderCutByTheEndOfTheFileIsTruncated() {
    let full = DatBuilder.file([twoTypes])
    let cut = Array(full.prefix(337 + 8 + 10))
    #expect(
      decode(cut, length: Int64(cut.count)).fault
        == InputFault(
          .datTruncated, at: 337 + 8 + 10,
          "the file ends inside the header of block 0 (10 of "
            + "\(twoTypes.headerJSON.utf8.count) bytes)"))
  }

  @Test func controlCharactersInNamesAreEscapedInLines() {
    let fault = InputFault(.datBadHeader, at: 1, "bad\u{1B}[2J", path: "x\n.zip", member: "a\tb")
    #expect(fault.line == "x\\n.zip!a\\tb: dat_bad_header at offset 1: bad\\u{1b}[2J")
  }
}
