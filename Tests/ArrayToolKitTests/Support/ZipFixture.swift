// A scratch folder that writes zip archives built in memory to files and opens them, since
// `ZipArchive` reads files with pread.

@testable import ArrayToolKit

/// Writes built zip archives to files and opens them.
final class ZipFixture {
  let scratch: ScratchDirectory

  init() throws {
    scratch = try ScratchDirectory()
  }

  /// The archive `bytes`, written as `name` and opened.
  func open(_ bytes: [UInt8], name: String = "test.zip") throws -> ZipArchive {
    try ZipArchive(file: InputFile(path: scratch.write(name, bytes)))
  }

  /// The fault opening `bytes` throws.
  func fault(_ bytes: [UInt8]) -> InputFault? {
    thrownFault { try open(bytes) }
  }

  var path: String { scratch.path + "/test.zip" }
}
