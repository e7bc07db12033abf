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
    /// Accepted and spooled pieces: nothing of these is sent again.
    var pieces: [BatchPiece] = []
    var spooled: [BatchPiece] = []
    var accepted: Set<BatchPiece> = []
  }

  /// The folder of the journal of deliveries to `target`: its host, port and path, readable.
  public static func folderName(for target: ImportTarget) -> String {
    let text = "\(target.host)_\(target.port)\(target.base.path)"
    return String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
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
        Self.apply(record.state, pieces: record.pieces, to: &members[record.member, default: MemberRecord()])
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

  private static func apply(
    _ state: JournalRecord.State, pieces: [BatchPiece], to record: inout MemberRecord
  ) {
    switch state {
    case .complete: record.complete = true
    case .accepted:
      record.pieces += pieces
      record.accepted.formUnion(pieces)
    case .spooled:
      record.pieces += pieces
      record.spooled += pieces
    }
  }

  /// Samples of `member` written to the spool and not yet accepted by a replay.
  public func samplesWaitingInSpool(archive: String, member: String) -> Int {
    lock.lock()
    defer { lock.unlock() }
    guard let record = records(archive)[member] else { return 0 }
    return record.spooled.filter { !record.accepted.contains($0) }.reduce(0) { $0 + $1.samples }
  }

  /// Records that `pieces` of `member` were accepted or spooled.
  func record(_ state: JournalRecord.State, archive: String, member: String, pieces: [BatchPiece])
    throws
  {
    let line = try JSONEncoder().encode(JournalRecord(state: state, member: member, pieces: pieces))
    lock.lock()
    defer { lock.unlock() }
    _ = records(archive)
    Self.apply(state, pieces: pieces, to: &loaded[archive]![member, default: MemberRecord()])
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
