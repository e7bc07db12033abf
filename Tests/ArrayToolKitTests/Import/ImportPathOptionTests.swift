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
    let missing = scratch.path + "/none"
    #expect(throws: SystemError("cannot read credentials file \(missing)", code: ENOENT)) {
      try Credentials.load(bearerFile: missing, basicFile: nil, environment: [:])
    }
  }

  /// Before, a file given to --replay ended with Foundation's error dump and exit status 1.
  @Test func aReplayOfAFileSaysItIsNoFolder() throws {
    let scratch = try ScratchDirectory()
    let file = try scratch.write("spool", Array("x".utf8))
    let result = try BinaryRunner.run(["import", "--replay", file])
    #expect(result.status == 2)
    #expect(
      result.stderr == "arraytool: error: cannot read spool folder \(file): not a directory\n")
  }
}

extension ImportPathOptionTests {
  /// Before, a file given as --spool was found when the first batch failed to go there: every
  /// batch "not delivered", each with Foundation's error dump.
  @Test func aSpoolThatIsAFileIsRefusedBeforeAnythingIsSent() throws {
    let scratch = try ScratchDirectory()
    let file = try scratch.write("spool", Array("x".utf8))
    let server = try LoopbackServer(status: 204, reason: "No Content", body: "")
    let url = "http://127.0.0.1:\(server.port)"
    let cases = [
      (["--spool", file], "--spool \(file): is a file, not a directory"),
      (["--spool", file + "/inner"],
       "--spool \(file)/inner: cannot be created: \(file) is a file, not a directory"),
      (["--journal", file], "--journal \(file): is a file, not a directory"),
    ]
    for (options, message) in cases {
      let result = try BinaryRunner.run(["import", "--url", url] + options + [Self.sample])
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(result.stderr
        == "arraytool: error: \(message)\narraytool: hint: see 'arraytool import --help'\n")
    }
    // The default spool of a state folder that is a file is named as the folder it would be.
    let inState = try BinaryRunner.run(
      ["import", "--url", url, Self.sample], environment: ["ARRAYTOOL_STATE_DIR": file])
    #expect(inState.status == 2)
    #expect(inState.stderr.hasPrefix(
      "arraytool: error: spool folder \(file)/spool: cannot be created: \(file) is a file, "
        + "not a directory\n"))
    #expect(server.requests.isEmpty)
  }

  /// What a batch that cannot be spooled says: the folder and a plain reason.
  @Test func aSpoolWriteFailureNamesTheFolderAndTheReason() throws {
    let scratch = try ScratchDirectory()
    let file = try scratch.write("spool", Array("x".utf8))
    let record = SpoolRecord(
      target: "http://127.0.0.1:1", archive: "a.zip", archiveSHA256: "00", member: "", pieces: [],
      samples: 0, lines: 0, reason: "test")
    let failure = #expect(throws: SystemError.self) {
      try [UInt8]("{}\n".utf8).withUnsafeBytes {
        try ImportSpool(directory: file).write(body: $0, record: record)
      }
    }
    #expect(failure?.userMessage
      == "cannot create spool folder \(file): is a file, not a directory")
  }
}
