import Testing

@testable import ArrayToolKit

/// Every manifest line style `verify` reads, and the lines it writes.
@Suite struct ManifestParsingTests {
  static let md5 = "9d8967c0fd433ae80ca32b1300f3dfc9"
  static let sha1 = "a9993e364706816aba3e25717850c26c9cd0d89d"
  static let sha256 = "633cc97f0b8cb99ef05864d02b46895d9c1ea11b2431019e7bc3ba5d4bad9714"
  static let sha512 = String(repeating: "0123456789abcdef", count: 8)

  private func parse(_ text: String) -> Manifest {
    Manifest(parsing: Array(text.utf8))
  }

  private func line(
    _ number: Int, _ offset: Int64, _ algorithm: DigestAlgorithm, _ digest: String, _ name: String?
  ) -> ManifestLine {
    ManifestLine(number: number, offset: offset, algorithm: algorithm, digest: digest, name: name)
  }

  @Test func coreutilsLinesInTextBinaryTabAndSingleSpaceForms() {
    let text = """
      \(Self.sha256)  a.tgz
      \(Self.md5) *b.tgz
      \(Self.sha1)\tc d.tgz
      \(Self.sha512) e.tgz

      """
    let manifest = parse(text)
    #expect(manifest.malformed.isEmpty)
    #expect(
      manifest.lines == [
        line(1, 0, .sha256, Self.sha256, "a.tgz"),
        line(2, 72, .md5, Self.md5, "b.tgz"),
        line(3, 112, .sha1, Self.sha1, "c d.tgz"),
        line(4, 161, .sha512, Self.sha512, "e.tgz"),
      ])
  }

  @Test func bsdTaggedLinesAsCoreutilsAndOpenSSLWriteThem() {
    let text = """
      SHA256 (2025-09-25/a (copy).tgz) = \(Self.sha256)
      MD5(b.tgz)= \(Self.md5)
      SHA2-512(c.tgz)= \(Self.sha512)
      SHA1 (d.tgz) = \(Self.sha1.uppercased())
      """
    let manifest = parse(text)
    #expect(manifest.malformed.isEmpty)
    #expect(
      manifest.lines.map(\.name) == ["2025-09-25/a (copy).tgz", "b.tgz", "c.tgz", "d.tgz"])
    #expect(manifest.lines.map(\.algorithm) == [.sha256, .md5, .sha512, .sha1])
    #expect(manifest.lines[3].digest == Self.sha1)
  }

  @Test func crlfAByteOrderMarkAndUpperCaseHexAreAccepted() {
    let bytes = [0xEF, 0xBB, 0xBF] + Array("\(Self.md5.uppercased())  a.tgz\r\n# note\r\n".utf8)
    let manifest = Manifest(parsing: bytes)
    #expect(manifest.malformed.isEmpty)
    #expect(manifest.lines == [line(1, 3, .md5, Self.md5, "a.tgz")])
  }

  @Test func aHashAloneHasNoName() {
    #expect(parse("\(Self.sha256)\n").lines == [line(1, 0, .sha256, Self.sha256, nil)])
  }

  @Test func escapedNamesAreUnescaped() {
    let manifest = parse("\\\(Self.md5)  dir\\\\x\\ny\\rz\n\\SHA256 (a\\\\b) = \(Self.sha256)\n")
    #expect(manifest.lines.map(\.name) == ["dir\\x\ny\rz", "a\\b"])
    #expect(parse("\\\(Self.md5)  a\\tb\n").malformed.map(\.reason) == [
      "the file name holds an unknown backslash escape"
    ])
  }

  @Test func aNameHoldingANulByteIsMalformed() {
    // Opened, the name would end at the NUL: the line would vouch for e.zip.
    let manifest = parse("\(Self.md5)  e.zip\u{0}junk\nSHA256 (f\u{0}) = \(Self.sha256)\n")
    #expect(manifest.lines.isEmpty)
    #expect(manifest.malformed.map(\.reason) == [
      "the file name holds a NUL byte", "the file name holds a NUL byte",
    ])
    #expect(manifest.malformed.map(\.offset) == [0, 45])
  }

  @Test func malformedLinesKeepTheirNumberAndOffset() {
    let text = """
      \(Self.md5)  ok.tgz
      not a checksum line
      abc123  short.tgz
      \(Self.md5)x.tgz
      SHA384 (x.tgz) = \(Self.sha256)
      SHA256 (x.tgz) = \(Self.md5)
      \(Self.md5) *
      """
    let manifest = parse(text)
    #expect(manifest.lines.count == 1)
    #expect(manifest.malformed.map(\.number) == [2, 3, 4, 5, 6, 7])
    #expect(manifest.malformed.map(\.offset) == [41, 61, 79, 117, 199, 249])
    #expect(
      manifest.malformed.map(\.reason) == [
        "expected a hex checksum and a file name",
        "a checksum of 6 hex digits fits no algorithm (MD5 32, SHA-1 40, SHA-256 64, SHA-512 128)",
        "the checksum is followed by 'x' instead of a space",
        "unknown checksum algorithm 'SHA384'",
        "SHA-256 needs 64 hex digits, the line has '\(Self.md5)'",
        "the file name is empty",
      ])
  }

  @Test func writtenLinesEscapeWhatCoreutilsEscapes() {
    #expect(Manifest.coreutilsLine(digest: Self.md5, name: "a b.tgz") == "\(Self.md5)  a b.tgz")
    #expect(
      Manifest.coreutilsLine(digest: Self.md5, name: "a\\b\nc\rd")
        == "\\\(Self.md5)  a\\\\b\\nc\\rd")
    let name = "a\\b\nc\rd"
    #expect(parse(Manifest.coreutilsLine(digest: Self.md5, name: name)).lines[0].name == name)
  }

  @Test func manifestNamesAndWhatTheirHashOnlyLinesAreAbout() {
    #expect(ManifestFinder.manifestKind("dir/SHA256SUMS") == (true, nil))
    #expect(ManifestFinder.manifestKind("md5sums.txt") == (true, nil))
    #expect(ManifestFinder.manifestKind("/x/export.zip.sha256") == (true, "export.zip"))
    #expect(ManifestFinder.manifestKind("a.tgz.MD5") == (true, "a.tgz"))
    #expect(ManifestFinder.manifestKind("a.tgz") == (false, nil))
    #expect(ManifestFinder.manifestKind(".sha256") == (false, nil))
  }
}
