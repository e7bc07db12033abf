// The journal of what a server accepted (and what was put in the spool), one folder per target,
// keyed by the SHA-256 of the archive, the member and the block, so that running the same import
// again sends nothing twice and an interrupted import continues where it stopped.

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
    /// These spooled samples left the spool for another target (a replay with --url): this
    /// target has not got them, and they wait nowhere.
    case unspooled
  }

  var state: State
  var member: String
  var pieces: [BatchPiece]
  /// With `complete`: the journal folders (targets) that together hold every sample of the
  /// member. Absent in journals written before, where it is the journal's own target.
  var targets: [String]? = nil
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
    /// Sets of targets (journal folders) that together got all of the member.
    var completeBy: [Set<String>] = []
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

  /// The journal's folder name: its target, as `folderName(for:)` gives it.
  public let name: String
  /// The members complete here, by the performance file their names are.
  let files: FileWindowIndex

  /// Opens (creating) the journal folder.
  public init(directory: String) throws {
    self.directory = directory
    name = (directory as NSString).lastPathComponent
    files = FileWindowIndex(directory: directory)
    try WritableFolder.create(directory, what: "journal folder")
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
        apply(record, to: &members[record.member, default: MemberRecord()])
      }
    }
    loaded[archive] = members
    return members
  }

  /// Whether every sample of `member` of `archive` was accepted or spooled before by targets
  /// all among `targets` (journal folder names).
  public func isComplete(archive: String, member: String, within targets: Set<String>) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return records(archive)[member]?.completeBy.contains { $0.isSubset(of: targets) } ?? false
  }

  /// The pieces of `member` already accepted or spooled.
  public func pieces(archive: String, member: String) -> [BatchPiece] {
    lock.lock()
    defer { lock.unlock() }
    return records(archive)[member]?.pieces ?? []
  }

  private func apply(_ line: JournalRecord, to record: inout MemberRecord) {
    switch line.state {
    case .complete: record.completeBy.append(Set(line.targets ?? [name]))
    case .accepted:
      record.pieces += line.pieces
      record.accepted.formUnion(line.pieces)
    case .spooled:
      record.pieces += line.pieces
      record.spooled += line.pieces
    case .unspooled:
      let gone = Set(line.pieces)
      record.spooled.removeAll { gone.contains($0) }
      record.pieces.removeAll { gone.contains($0) && !record.accepted.contains($0) }
      // What was complete with these pieces spooled here is not complete here any more.
      record.completeBy.removeAll()
    }
  }

  /// The pieces of `member` in the spool for this target, and those it accepted.
  func spoolState(archive: String, member: String)
    -> (spooled: [BatchPiece], accepted: Set<BatchPiece>)
  {
    lock.lock()
    defer { lock.unlock() }
    guard let record = records(archive)[member] else { return ([], []) }
    return (record.spooled, record.accepted)
  }

  /// Records that `pieces` of `member` were accepted, spooled or unspooled, or (`complete`) that
  /// `targets` together hold all of it.
  func record(
    _ state: JournalRecord.State, archive: String, member: String, pieces: [BatchPiece],
    targets: [String]? = nil
  ) throws {
    let entry = JournalRecord(state: state, member: member, pieces: pieces, targets: targets)
    let line = try JSONEncoder().encode(entry)
    lock.lock()
    defer { lock.unlock() }
    _ = records(archive)
    apply(entry, to: &loaded[archive]![member, default: MemberRecord()])
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
