// The journal of what the server accepted (and what was put in the spool), keyed by the SHA-256
// of the archive, the member and the block, so that running the same import again sends nothing
// twice and an interrupted import continues where it stopped.

import Foundation

/// One journal line.
struct JournalRecord: Codable, Equatable {
  enum State: String, Codable {
    /// The server accepted these samples.
    case accepted
    /// They are in the spool, waiting for `--replay`.
    case spooled
    /// Every sample of the member was accepted or spooled, and it decoded without fault.
    case complete
  }

  var state: State
  var member: String
  var pieces: [BatchPiece]
}

/// Append-only journal files, one per archive, in a folder.
public final class ImportJournal: @unchecked Sendable {
  public let directory: String
  private let lock = NSLock()
  /// Archive digest → member → what is recorded.
  private var loaded: [String: [String: MemberRecord]] = [:]
  private var handles: [String: FileHandle] = [:]
  private var unsynced = 0

  struct MemberRecord {
    var complete = false
    var pieces: [BatchPiece] = []
  }

  /// Opens (creating) the journal folder.
  public init(directory: String) throws {
    self.directory = directory
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw SystemError("cannot create journal folder \(directory)", code: EACCES)
    }
  }

  deinit {
    for handle in handles.values { try? handle.close() }
  }

  private func file(_ archive: String) -> String { directory + "/\(archive).journal" }

  /// Reads what is recorded for `archive` (its SHA-256), once.
  private func records(_ archive: String) -> [String: MemberRecord] {
    if let known = loaded[archive] { return known }
    var members: [String: MemberRecord] = [:]
    if let data = FileManager.default.contents(atPath: file(archive)) {
      let decoder = JSONDecoder()
      for line in data.split(separator: UInt8(ascii: "\n")) {
        // A line cut by a crash is ignored: its batch was not confirmed.
        guard let record = try? decoder.decode(JournalRecord.self, from: Data(line)) else { continue }
        if record.state == .complete {
          members[record.member, default: MemberRecord()].complete = true
        } else {
          members[record.member, default: MemberRecord()].pieces += record.pieces
        }
      }
    }
    loaded[archive] = members
    return members
  }

  /// Whether every sample of `member` of `archive` was accepted or spooled before.
  public func isComplete(archive: String, member: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return records(archive)[member]?.complete ?? false
  }

  /// The pieces of `member` already accepted or spooled.
  public func pieces(archive: String, member: String) -> [BatchPiece] {
    lock.lock()
    defer { lock.unlock() }
    return records(archive)[member]?.pieces ?? []
  }

  /// Records that `pieces` of `member` were accepted or spooled.
  func record(_ state: JournalRecord.State, archive: String, member: String, pieces: [BatchPiece])
    throws
  {
    let line = try JSONEncoder().encode(JournalRecord(state: state, member: member, pieces: pieces))
    lock.lock()
    defer { lock.unlock() }
    _ = records(archive)
    if state == .complete {
      loaded[archive]![member, default: MemberRecord()].complete = true
    } else {
      loaded[archive]![member, default: MemberRecord()].pieces += pieces
    }
    let handle = try self.handle(archive)
    do {
      try handle.write(contentsOf: line + Data([0x0A]))
      unsynced += 1
      if unsynced >= 16 {
        try handle.synchronize()
        unsynced = 0
      }
    } catch {
      throw SystemError("cannot write journal \(file(archive))", code: EIO, reason: "\(error)")
    }
  }

  private func handle(_ archive: String) throws -> FileHandle {
    if let open = handles[archive] { return open }
    let path = file(archive)
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw SystemError("cannot write journal \(path)", code: errno)
    }
    try handle.seekToEnd()
    handles[archive] = handle
    return handle
  }

  /// Writes everything to disk.
  public func flush() {
    lock.lock()
    defer { lock.unlock() }
    for handle in handles.values { try? handle.synchronize() }
    unsynced = 0
  }

  /// Forgets what is recorded for `archive` (for `--force`).
  public func reset(archive: String) {
    lock.lock()
    defer { lock.unlock() }
    if let handle = handles.removeValue(forKey: archive) { try? handle.close() }
    try? FileManager.default.removeItem(atPath: file(archive))
    loaded[archive] = [:]
  }
}
