import Testing

@testable import ArrayToolKit

/// The .dat inside a unit: completeness, and the serial and time its name gives.
@Suite struct VerifyDatTests {
  let fixture: VerifyFixture
  /// Where the rows of the standard .dat start: three rows of 8 bytes end the file.
  let rowsStart: Int

  init() throws {
    fixture = try VerifyFixture()
    rowsStart = fixture.dat.count - 3 * 8
  }

  @Test func aBareDatPasses() throws {
    let result = try fixture.verify([try fixture.write(fixture.datName, fixture.dat)])
    #expect(result.ok)
    #expect(result.filesChecked == 1)
  }

  @Test func aDatCutInsideARowIsTruncatedAtThatRow() throws {
    let path = try fixture.write(fixture.datName, Array(fixture.dat.dropLast(5)))
    #expect(
      try fixture.problems([path]) == [
        "\(path): dat_truncated at offset \(rowsStart + 16): the file ends inside row 2 of "
          + "block 0 (3 rows expected, 2 complete)"
      ])
  }

  @Test func bytesAfterTheLastBlockAreTrailing() throws {
    let path = try fixture.write(fixture.datName, fixture.dat + le32(7) + le32(0))
    #expect(
      try fixture.problems([path]) == [
        "\(path): dat_trailing_bytes at offset \(fixture.dat.count): 8 bytes after the last "
          + "block do not form a block (block type 7)"
      ])
  }

  @Test func aBadBlockHeaderAndAnImpossibleLengthAreTold() throws {
    let header = DatBuilder.fileHeader()
    let badJSON = try fixture.write(
      "a/" + fixture.datName,
      header + DatBuilder.block(DatBuilder.controllerBlock, headerJSON: "{\"StartTime\":"))
    let tooLong = try fixture.write(
      "b/" + fixture.datName, header + le32(0) + le32(100_000_000) + Array("{}".utf8))
    #expect(
      try fixture.problems([badJSON, tooLong]) == [
        "\(badJSON): dat_bad_header at offset 358: the header of block 0 is not valid JSON: "
          + "unexpected end of the header",
        "\(tooLong): dat_bad_length at offset 337: block 0 claims a 100000000-byte header but "
          + "only 10 bytes are left in the file",
      ])
  }

  @Test func aTextFileNamedOnTheCommandLineIsNoPerformanceDataFile() throws {
    let line = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    let text = try fixture.write("passwd", Array(String(repeating: line, count: 20).utf8))
    let result = try BinaryRunner.run(["verify", text])
    #expect(result.status == 1)
    // "daem" of the second line, read as a little-endian u32.
    #expect(
      result.stdout
        == "\(text): not_dat at offset 32: not a performance data file: the format version field "
        + "holds 1835360612, more than 65535\n"
        + "1 file checked, 1,600 bytes read, 0 checksums matched: 1 problem\n")
  }

  @Test func aSerialOrTimeOtherThanTheNameSaysIsAMismatch() throws {
    let otherSerial = try fixture.write(
      DatBuilder.name(serial: "2102350TST10KA000099"), fixture.dat)
    let otherTime = try fixture.write(DatBuilder.name(stamp: "20250925010000"), fixture.dat)
    #expect(
      try fixture.problems([otherSerial, otherTime]) == [
        "\(otherSerial): serial_mismatch at offset 36: the file name says serial "
          + "2102350TST10KA000099 but the file header says 2102350TST10KA000042",
        "\(otherTime): serial_mismatch at offset 345: the file name says 2025-09-25 01:00:00 UTC "
          + "but block 0 starts at 2025-09-25 00:00:00 UTC (StartTime 1758758400, -3600 s apart, "
          + "more than the 60 s interval)",
      ])
  }

  @Test func aNameWithinOneIntervalOfTheStartAgrees() throws {
    let path = try fixture.write(DatBuilder.name(stamp: "20250925000059"), fixture.dat)
    #expect(try fixture.problems([path]).isEmpty)
  }

  @Test func aDatInATgzInAZipIsNamedByTheWholeChain() throws {
    let member = "2025-09-25/" + fixture.tgzName
    let cut = tgz(datName: fixture.datName, dat: Array(fixture.dat.dropLast(5)))
    let (path, _) = try fixture.zip("export.zip", [ZipBuilder.Entry(member, cut, method: 0)])
    #expect(
      try fixture.problems([path]) == [
        "\(path)!\(member)!\(fixture.datName): dat_truncated at offset \(rowsStart + 16): the "
          + "file ends inside row 2 of block 0 (3 rows expected, 2 complete)"
      ])
  }

  @Test func aGzipStreamExpandingTooFarIsStopped() throws {
    // About 1.2 MiB of zero rows: deflate shrinks it more than 300 times.
    var block = DatBuilder.controllerBlock
    block.end = block.start + 60 * 160_000
    block.value = { _, _ in 0 }
    let dat = DatBuilder.file([block])
    let bytes = tgz(datName: fixture.datName, dat: dat)
    let path = try fixture.write(fixture.tgzName, bytes)
    var options = VerifyOptions()
    options.limits.maxRatio = 50
    let problems = try fixture.verify([path], options: options).problems
    #expect(problems.count == 1)
    let limit = max(50 * bytes.count, 1 << 20)
    #expect(problems.first?.kind == .ratioLimit)
    #expect(
      problems.first?.message
        == "the gzip stream expands to more than 50 times the \(bytes.count) compressed bytes "
        + "it is read from (--max-ratio); stopped after \(limit) bytes")
    // The offset is where the compressed stream was when the limit was passed.
    #expect((1...Int64(bytes.count)).contains(problems.first?.offset ?? 0))

    options.limits = ExpansionLimits(maxRatio: nil, maxBytes: 100_000)
    #expect(
      try fixture.verify([path], options: options).problems.map(\.message) == [
        "the gzip stream expands to more than the 100000 bytes allowed (--max-size); stopped "
          + "after 100000 bytes"
      ])
    #expect(try fixture.verify([path]).ok)
  }
}
