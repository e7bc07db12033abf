import Foundation
import Testing

@testable import ArrayToolKit

/// Manifests beside, inside and named for the inputs: every line style, every verdict.
@Suite struct VerifyManifestTests {
  let fixture: VerifyFixture
  let member = "2025-09-25/" + DatBuilder.name(suffix: ".tgz")
  let tgz: [UInt8]

  init() throws {
    fixture = try VerifyFixture()
    tgz = fixture.tgz
  }

  private func sha256(_ bytes: [UInt8]) -> String { Digest.hex(.sha256, of: bytes) }
  private func md5(_ bytes: [UInt8]) -> String { Digest.hex(.md5, of: bytes) }

  /// An export zip of the standard .tgz and `manifests` (name → text) as members.
  private func export(_ manifests: [(String, String)], name: String = "export.zip") throws
    -> (path: String, bytes: [UInt8])
  {
    let entries =
      [ZipBuilder.Entry(member, tgz, method: 0)]
      + manifests.map { ZipBuilder.Entry($0.0, Array($0.1.utf8)) }
    let (path, built) = try fixture.zip(name, entries)
    return (path, built.bytes)
  }

  @Test func membersAreCheckedInPlaceWithEveryAlgorithmInOnePass() throws {
    let (path, _) = try export([
      ("SHA256SUMS", "\(sha256(tgz))  \(member)\n"),
      ("MD5SUMS", "\(md5(tgz)) *\(member)\n"),
      ("2025-09-25/SHA1SUMS", "SHA1 (\(fixture.tgzName)) = \(Digest.hex(.sha1, of: tgz))\n"),
    ])
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty && result.notes.isEmpty)
    #expect(result.checksumsMatched == 3)
    #expect(result.filesChecked == 5)
  }

  @Test func aWrongHashAMissingMemberAndAMalformedLineAreFailures() throws {
    let wrong = String(repeating: "0", count: 64)
    let text = "\(wrong)  \(member)\n\(sha256(tgz))  gone.tgz\nnonsense\n"
    let (path, _) = try export([("SHA256SUMS", text)])
    let secondLine = 64 + 2 + member.utf8.count + 1
    let thirdLine = secondLine + 64 + 2 + "gone.tgz".count + 1
    #expect(
      try fixture.problems([path]) == [
        "\(path)!SHA256SUMS: manifest_missing_file at offset \(secondLine): line 2: gone.tgz is "
          + "not a member of \(path)",
        "\(path)!SHA256SUMS: manifest_malformed at offset \(thirdLine): line 3: expected a hex "
          + "checksum and a file name",
        "\(path)!\(member): manifest_mismatch at offset 0: SHA-256 is \(sha256(tgz)), but line 1 "
          + "of \(path)!SHA256SUMS says \(wrong)",
      ])
  }

  @Test func aHashOnlyFileBesideTheZipChecksTheZip() throws {
    let (path, bytes) = try export([])
    try fixture.scratch.write("export.zip.sha256", Array("\(sha256(bytes).uppercased())\n".utf8))
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty)
    #expect(result.checksumsMatched == 1)
    // The manifest, then the zip: its entry's data read by the check, the rest to fill gaps.
    #expect(result.bytesRead == Int64(65 + bytes.count))
  }

  /// `export.zip.sha256` that lists another export only (copied from it, most likely): that one
  /// is checked, and a note says that export.zip itself was checked against nothing.
  @Test func aManifestBesideTheZipThatDoesNotListItSaysSo() throws {
    let (path, own) = try export([])
    let (_, other) = try export([], name: "other.zip")
    let manifest = try fixture.scratch.write(
      "export.zip.sha256", Array("\(sha256(other))  other.zip\n".utf8))
    let result = try fixture.verify([path])
    #expect(result.problems.isEmpty)
    #expect(result.checksumsMatched == 1)
    #expect(result.notes.map(\.line) == [
      "\(manifest): note at offset 0: it is named for export.zip but does not list it: export.zip "
        + "is not checked against a checksum (the files it lists are)"
    ])
    // Listing it, even among others, is what its name promises: no note.
    _ = try fixture.scratch.write(
      "export.zip.sha256",
      Array("\(sha256(other))  other.zip\n\(sha256(own))  export.zip\n".utf8))
    #expect(try fixture.verify([path]).notes.isEmpty)
  }

  @Test func aManifestBesideTheZipCannotNameFilesElsewhere() throws {
    let (path, _) = try export([])
    let zero = String(repeating: "0", count: 64)
    let manifest = try fixture.scratch.write(
      "export.zip.sha256", Array("\(zero)  /etc/passwd\n\(zero)  ../x.zip\n".utf8))
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(manifest): manifest_malformed at offset 0: line 1: /etc/passwd is outside the "
          + "manifest's folder; name such a manifest with --manifest to check it",
        "\(manifest): manifest_malformed at offset 78: line 2: ../x.zip is outside the "
          + "manifest's folder; name such a manifest with --manifest to check it",
      ])
  }

  /// A name inside the folder that reaches out of it through a symbolic link (a linked folder
  /// or a linked file) is refused like `../x`, and nothing outside is read or matched.
  @Test func aManifestBesideTheZipCannotReachOutThroughLinks() throws {
    let (path, _) = try export([])
    let outside = try ScratchDirectory()
    let secret = Array("secret\n".utf8)
    let secretPath = try outside.write("s.txt", secret)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.scratch.path + "/sub", withDestinationPath: outside.path)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.scratch.path + "/link.txt", withDestinationPath: secretPath)
    // A link that stays inside the folder is followed as before.
    let inside = try fixture.scratch.write("inside.txt", secret)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.scratch.path + "/near.txt", withDestinationPath: inside)
    let digest = sha256(secret)
    let manifest = try fixture.scratch.write(
      "export.zip.sha256",
      Array("\(digest)  sub/s.txt\n\(digest)  link.txt\n\(digest)  near.txt\n".utf8))
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(manifest): manifest_malformed at offset 0: line 1: sub/s.txt leads outside the "
          + "manifest's folder through a symbolic link; name such a manifest with --manifest to "
          + "check it",
        "\(manifest): manifest_malformed at offset 76: line 2: link.txt leads outside the "
          + "manifest's folder through a symbolic link; name such a manifest with --manifest to "
          + "check it",
      ])
    #expect(result.checksumsMatched == 1)
  }

  /// `export.zip.sha256` that is a FIFO, a link to /dev/zero, a folder or a dangling link is a
  /// problem, worded as the folder walk words it: skipped, it would pass the zip as checked; read,
  /// the FIFO would hang and /dev/zero never end.
  @Test func aManifestBesideTheZipThatIsNoRegularFileIsAProblem() throws {
    let (path, _) = try export([])
    #expect(mkfifo(path + ".sha256", 0o600) == 0)
    try FileManager.default.createSymbolicLink(
      atPath: path + ".sha512", withDestinationPath: "/dev/zero")
    try FileManager.default.createDirectory(
      atPath: path + ".sha1", withIntermediateDirectories: false)
    try FileManager.default.createSymbolicLink(
      atPath: path + ".md5", withDestinationPath: fixture.scratch.path + "/gone.md5")
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(path).sha256: unreadable at offset 0: not a regular file",
        "\(path).sha512: unreadable at offset 0: not a regular file",
        "\(path).sha1: unreadable at offset 0: not a regular file",
        "\(path).md5: unreadable at offset 0: a symbolic link that cannot be followed: no such "
          + "file or directory",
      ])
    #expect(result.errors.isEmpty)
    #expect(result.exitStatus == .problems)
    #expect(result.checksumsMatched == 0)
  }

  /// A FIFO named `SHA256SUMS` beside a zip is reported when the zip is named as when its folder
  /// is walked, once when both are given; a folder named `MD5SUMS` is a folder, as in the walk.
  @Test func aFolderManifestThatIsAFifoIsAProblemOnce() throws {
    let (path, _) = try export([])
    let fifo = fixture.scratch.path + "/SHA256SUMS"
    #expect(mkfifo(fifo, 0o600) == 0)
    try FileManager.default.createDirectory(
      atPath: fixture.scratch.path + "/MD5SUMS", withIntermediateDirectories: false)
    let line = "\(fifo): unreadable at offset 0: not a regular file"
    #expect(try fixture.problems([path]) == [line])
    #expect(try fixture.problems([fixture.scratch.path, path]) == [line])
  }

  @Test func crlfBomBsdTagsAndBinaryMarksInAFolderManifest() throws {
    let (path, bytes) = try export([])
    let other = try fixture.write("second.zip", bytes)
    let lines = [
      "SHA256 (export.zip) = \(sha256(bytes))", "\(md5(bytes).uppercased()) *second.zip",
      "\(sha256(bytes))\tunrelated.zip",
    ]
    try fixture.scratch.write(
      "SHA256SUMS", [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
    let result = try fixture.verify([path, other])
    // The line about a file that is not an input is none of this run's business.
    #expect(result.problems.isEmpty)
    #expect(result.checksumsMatched == 2)
  }

  @Test func aFolderManifestAboutOtherFilesIsIgnored() throws {
    let (path, _) = try export([])
    try fixture.scratch.write("SHA256SUMS", Array("garbage\n".utf8))
    let result = try fixture.verify([path])
    #expect(result.ok)
    #expect(result.checksumsMatched == 0)
  }

  @Test func aManifestTakenOutOfTheZipChecksItsMembers() throws {
    let text = "\(sha256(tgz))  \(member)\n"
    let (path, _) = try export([("SHA256SUMS", text)])
    let manifest = try fixture.write("extracted/SHA256SUMS", Array(text.utf8))
    var options = VerifyOptions()
    options.manifests = [manifest]
    let result = try fixture.verify([path], options: options)
    #expect(result.problems.isEmpty)
    #expect(result.checksumsMatched == 2)
  }

  @Test func aManifestGivenAsInputChecksTheFilesItLists() throws {
    let tgzPath = try fixture.write("in/" + fixture.tgzName, tgz)
    let readme = try fixture.write("in/readme.txt", Array("hello\n".utf8))
    let text = "\(sha256(tgz))  \(fixture.tgzName)\n\(sha256(Array("hello\n".utf8)))  readme.txt\n"
      + "\(sha256(tgz))  gone.tgz\n"
    let manifest = try fixture.write("in/SHA256SUMS", Array(text.utf8))
    let result = try fixture.verify([manifest])
    let thirdLine = 2 * (64 + 2) + fixture.tgzName.utf8.count + 1 + "readme.txt".count + 1
    #expect(
      result.problems.map(\.line) == [
        "\(manifest): manifest_missing_file at offset \(thirdLine): line 3: "
          + "\(fixture.scratch.path)/in/gone.tgz does not exist"
      ])
    #expect(result.checksumsMatched == 2)
    #expect(result.filesChecked == 3)
    #expect([tgzPath, readme].allSatisfy { FileIdentity(path: $0) != nil })
  }

  @Test func aManifestWithoutChecksumsVerifiedNothing() throws {
    let (path, _) = try export([])
    let empty = try fixture.write("export.zip.md5", Array("# nothing yet\n\n".utf8))
    let list = try fixture.write("elsewhere/SHA256SUMS", Array("\(sha256(tgz))\n".utf8))
    var options = VerifyOptions()
    options.manifests = [list]
    #expect(
      try fixture.problems([path], options: options) == [
        "\(list): manifest_malformed at offset 0: line 1: a checksum without a file name, and "
          + "the manifest's name does not say which file it is for",
        "\(empty): manifest_empty at offset 0: the manifest holds no checksum lines",
      ])
  }

  @Test func aMemberReplacedWithAConsistentCrcFailsOnlyItsChecksum() throws {
    let replaced = fixture.tgz + [0]
    let text = "\(sha256(tgz))  \(member)\n"
    let (path, _) = try fixture.zip(
      "export.zip",
      [
        ZipBuilder.Entry(member, replaced, method: 0),
        ZipBuilder.Entry("SHA256SUMS", Array(text.utf8)),
      ])
    let result = try fixture.verify([path])
    #expect(
      result.problems.map(\.line) == [
        "\(path)!\(member): manifest_mismatch at offset 0: SHA-256 is \(sha256(replaced)), but "
          + "line 1 of \(path)!SHA256SUMS says \(sha256(tgz))"
      ])
    // One zero byte after the gzip stream is padding, not a fault.
    #expect(result.notes.count == 1)
  }

  @Test func aManifestNamedWithManifestThatDoesNotExistIsAnError() throws {
    let (path, _) = try export([])
    var options = VerifyOptions()
    options.manifests = [fixture.scratch.path + "/nope.sha256"]
    let result = try fixture.verify([path], options: options)
    #expect(
      result.errors.map(\.userMessage) == [
        "cannot read manifest \(fixture.scratch.path)/nope.sha256: no such file or directory"
      ])
    #expect(result.exitStatus == .usage)
  }

  @Test func aManifestNamedWithManifestThatIsAFolderOrAFifoSaysSo() throws {
    let (path, _) = try export([])
    let folder = fixture.scratch.path + "/sums"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let fifo = fixture.scratch.path + "/sums.fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    var options = VerifyOptions()
    options.manifests = [folder, fifo]
    let result = try fixture.verify([path], options: options)
    #expect(
      result.errors.map(\.userMessage) == [
        "cannot read manifest \(folder): is a directory",
        "cannot read manifest \(fifo): not a regular file",
      ])
    #expect(result.exitStatus == .usage)
  }
}
