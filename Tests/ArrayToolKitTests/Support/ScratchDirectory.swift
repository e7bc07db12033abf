// A fresh folder under the system's temporary directory for tests that need real files (zip
// archives are read with pread, directories are walked); it is removed when the test ends.

import Foundation

final class ScratchDirectory {
  let path: String

  init() throws {
    var template = Array((NSTemporaryDirectory() + "arraytool-test-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw CocoaError(.fileWriteUnknown)
    }
    path = String(cString: made)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `bytes` to `name` (which may contain folders) and returns the file's path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    let folder = (file as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }
}
