// The paths import is given to read or write (credentials files, the spool, the journal, a
// folder to replay): a wrong kind of path is named for what it is, in plain words, before
// anything is sent.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ImportPathOptionTests {
  static let sample = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"

  /// Before, a folder given as a credentials file was said not to exist.
  @Test func aCredentialsFileThatIsAFolderIsSaidToBeOne() throws {
    let scratch = try ScratchDirectory()
    for options in [["--bearer-token-file", scratch.path], ["--basic-auth-file", scratch.path]] {
      let result = try BinaryRunner.run(["import"] + options + [Self.sample])
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(result.stderr
        == "arraytool: error: cannot read credentials file \(scratch.path): is a directory\n")
    }
    #expect(throws: SystemError("cannot read credentials file \(scratch.path)", code: EISDIR)) {
      try Credentials.load(
        bearerFile: nil, basicFile: nil,
        environment: ["ARRAYTOOL_BEARER_TOKEN_FILE": scratch.path])
    }
    #expect(throws: SystemError("cannot read credentials file \(scratch.path)/none", code: ENOENT)) {
      try Credentials.load(bearerFile: scratch.path + "/none", basicFile: nil, environment: [:])
    }
  }

  /// Before, a file given to --replay ended with Foundation's error dump and exit status 1.
  @Test func aReplayOfAFileSaysItIsNoFolder() throws {
    let scratch = try ScratchDirectory()
    let file = try scratch.write("spool", Array("x".utf8))
    let result = try BinaryRunner.run(["import", "--replay", file])
    #expect(result.status == 2)
    #expect(result.stderr == "arraytool: error: cannot read spool folder \(file): not a directory\n")
  }
}
