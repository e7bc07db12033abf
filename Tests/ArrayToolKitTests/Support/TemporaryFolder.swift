// A temporary folder for the files one test writes, removed when the test is done with it.

import Foundation

/// Runs `body` with a new, empty folder and removes the folder afterwards, also when `body`
/// throws.
func withTemporaryFolder<Result>(
  _ prefix: String, _ body: (URL) throws -> Result
) throws -> Result {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("arraytool-\(prefix)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  return try body(folder)
}
