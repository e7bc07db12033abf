// Which performance files a target holds all of, by what their names say (array, controller,
// sequence and time), whatever archive held them: an export imported unpacked in one run and as
// its zip in the next is then not sent twice. A line per complete file names the archive's
// SHA-256 and the member it was complete as, so that the records of that member still decide
// (a `--force` that reset them makes the line count for nothing), and the size and CRC-32 of the
// bytes it was stored as, so that another file of the same name is not taken for it.

import Foundation

/// The complete performance files of one journal folder, by the window their names give.
final class FileWindowIndex: @unchecked Sendable {
  struct Entry: Codable, Hashable {
    var window: String
    var archive: String
    var member: String
    /// Absent in lines written before prints were kept.
    var print: ContainerPrint? = nil
  }

  private let path: String
  private let lock = NSLock()
  private var byWindow: [String: [Entry]]?

  init(directory: String) {
    path = directory + "/files.index"
  }

  /// The files recorded complete under `window`.
  func entries(window: String) -> [Entry] {
    lock.lock()
    defer { lock.unlock() }
    return loaded()[window] ?? []
  }

  /// Records that `entry`'s member is complete; a line already there is not written again.
  func add(_ entry: Entry) throws {
    lock.lock()
    defer { lock.unlock() }
    guard !(loaded()[entry.window] ?? []).contains(entry) else { return }
    byWindow![entry.window, default: []].append(entry)
    let line = try JSONEncoder().encode(entry) + Data([0x0A])
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw SystemError("cannot write journal \(path)", code: errno)
    }
    defer { try? handle.close() }
    do {
      try handle.seekToEnd()
      try handle.write(contentsOf: line)
    } catch {
      throw SystemError("cannot write journal \(path)", code: EIO, reason: "\(error)")
    }
  }

  private func loaded() -> [String: [Entry]] {
    if let byWindow { return byWindow }
    var found: [String: [Entry]] = [:]
    if let data = FileManager.default.contents(atPath: path) {
      let decoder = JSONDecoder()
      for line in data.split(separator: UInt8(ascii: "\n")) {
        // A line cut by a crash is ignored: the member's own records are what counts.
        guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }
        found[entry.window, default: []].append(entry)
      }
    }
    byWindow = found
    return found
  }
}
