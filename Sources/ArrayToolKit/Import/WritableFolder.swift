// The folders import writes into (the spool, the journal) are checked before the first batch is
// sent: a spool that cannot be written was otherwise found only when every undeliverable batch
// failed to go there.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A folder import is to write into, made on first use.
enum WritableFolder {
  /// Why `path` cannot serve, or nil when it can: it is a folder that can be written, or it
  /// does not exist yet and the nearest folder above it can be written.
  static func problem(_ path: String) -> String? {
    if let reason = unusable(path) { return reason }
    guard !exists(path) else { return nil }
    var above = path
    repeat {
      above = (above as NSString).deletingLastPathComponent
      if above.isEmpty { above = "." }
    } while !exists(above) && above != "/" && above != "."
    return unusable(above).map { "cannot be created: \(above) \($0)" }
  }

  /// Creates `path` and the folders above it that are missing.
  /// - Throws: `SystemError` naming `what` and `path`, with a plain reason.
  static func create(_ path: String, what: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      let failure = SystemError("cannot create \(what) \(path)", cause: error)
      // Foundation's EEXIST for a file in the way says less than this.
      throw unusable(path).map { SystemError(failure.context, code: failure.code, reason: $0) }
        ?? failure
    }
  }

  private static func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
  }

  /// Why an existing `path` is no folder to write in; nil when it is one, or does not exist.
  private static func unusable(_ path: String) -> String? {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
    guard isFolder.boolValue else { return "is a file, not a directory" }
    return access(path, W_OK | X_OK) == 0 ? nil : "is not writable"
  }
}
