// One import or replay at a time per state folder. Two runs at once both read the journal before
// either records a batch, so both send everything (and a replay may send a batch an import is
// sending too): the journal and the spool only keep their promise for one run at a time.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive flock(2) on STATE/lock, held while it lives. The kernel drops it when the
/// process ends, however it ends, so a crashed run never leaves the folder locked.
final class StateLock {
  static let fileName = "lock"
  let path: String
  private var descriptor: Int32

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  /// Takes the lock of `folder` (creating it), or throws `StateFolderInUse` at once when another
  /// run holds it.
  static func acquire(folder: String) throws -> StateLock {
    try WritableFolder.create(folder, what: "state folder")
    let path = folder + "/" + fileName
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw SystemError("cannot open \(path)", code: errno) }
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      if code == EINTR { continue }
      let holder = code == EWOULDBLOCK ? readPID(descriptor) : nil
      close(descriptor)
      guard code == EWOULDBLOCK else { throw SystemError("cannot lock \(path)", code: code) }
      throw StateFolderInUse(folder: folder, pid: holder)
    }
    // The pid is for the message of a run that finds the folder taken; the lock is the flock.
    let text = Array("\(getpid())\n".utf8)
    if ftruncate(descriptor, 0) == 0 {
      _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }
    return StateLock(path: path, descriptor: descriptor)
  }

  private static func readPID(_ descriptor: Int32) -> Int32? {
    var bytes = [UInt8](repeating: 0, count: 32)
    let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    return Int32(String(decoding: bytes[0..<count], as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Lets the next run in. Idempotent.
  func release() {
    guard descriptor >= 0 else { return }
    close(descriptor)
    descriptor = -1
  }

  deinit { release() }
}

/// Another import or replay holds the state folder.
struct StateFolderInUse: UserFacingError, Equatable {
  var folder: String
  var pid: Int32?

  var userMessage: String {
    let who = pid.map { " (pid \($0))" } ?? ""
    return "state folder \(folder) is in use by another arraytool import or replay\(who): wait "
      + "for it to end, or give this run its own folder with ARRAYTOOL_STATE_DIR"
  }

  // Like an unreadable input: the run could not start, and nothing was sent.
  var exitStatus: ExitStatus { .usage }
}
