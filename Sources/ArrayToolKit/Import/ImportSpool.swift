// The spool: batches that could not be delivered after their retries are written here, gzip JSON
// lines plus a small record of where they came from, durably (fsync, then rename into place), so
// that `arraytool import --replay` can send them later. A sample is delivered, spooled or
// reported; never dropped.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What a spooled batch is, stored beside its data.
public struct SpoolRecord: Codable, Equatable, Sendable {
  public var target: String
  public var archive: String
  public var archiveSHA256: String
  public var member: String
  public var pieces: [BatchPiece]
  public var samples: Int
  public var lines: Int
  public var reason: String
  /// Whether an attempt to send the batch was cut off after some of its body went out (a
  /// timeout, a reset, the second Ctrl-C), so that the server may hold its samples already.
  public var mayBeStored = false
  /// The SHA-256 of the data file as written (lower-case hex), so that a replay sends only what
  /// was spooled: gzip's CRC-32 does not see a file that was edited and compressed again, and
  /// VictoriaMetrics answers 204 while it skips a line it cannot read. Nil in a record written
  /// before it was kept.
  public var dataSHA256: String?

  enum CodingKeys: String, CodingKey {
    case target, archive, member, pieces, samples, lines, reason
    case archiveSHA256 = "archive_sha256"
    case mayBeStored = "may_be_stored"
    case dataSHA256 = "data_sha256"
  }
}

extension SpoolRecord {
  /// Records written before `may_be_stored` existed say nothing of it: false. A null is no such
  /// record but one edited by hand, and taking it for false would send a batch that may be
  /// stored already without asking: the record is damaged, as with a string. The same holds for
  /// `data_sha256`: missing, and the data file is not checked; null, and the record is damaged.
  public init(from decoder: Decoder) throws {
    let values = try decoder.container(keyedBy: CodingKeys.self)
    target = try values.decode(String.self, forKey: .target)
    archive = try values.decode(String.self, forKey: .archive)
    archiveSHA256 = try SpoolRecord.digest(in: values, forKey: .archiveSHA256, mayBeEmpty: true)
    member = try values.decode(String.self, forKey: .member)
    pieces = try values.decode([BatchPiece].self, forKey: .pieces)
    samples = try values.decode(Int.self, forKey: .samples)
    lines = try values.decode(Int.self, forKey: .lines)
    reason = try values.decode(String.self, forKey: .reason)
    mayBeStored = values.contains(.mayBeStored)
      ? try values.decode(Bool.self, forKey: .mayBeStored) : false
    dataSHA256 = values.contains(.dataSHA256)
      ? try SpoolRecord.digest(in: values, forKey: .dataSHA256) : nil
  }

  /// Why a digest field is malformed, as the damage it makes of the record says.
  static let notADigest = "not 64 hexadecimal digits"

  /// A SHA-256 field, in lower case. The archive's names the journal file its batches are
  /// entered in: anything but 64 hex digits (`../../x`) would put that file elsewhere. It is
  /// empty when the archive could not be read again to take it.
  private static func digest(
    in values: KeyedDecodingContainer<CodingKeys>, forKey key: CodingKeys, mayBeEmpty: Bool = false
  ) throws -> String {
    let text = try values.decode(String.self, forKey: key).lowercased()
    if mayBeEmpty && text.isEmpty { return text }
    guard text.utf8.count == 64, text.utf8.allSatisfy({ $0 &- 0x30 <= 9 || $0 &- 0x61 <= 5 })
    else {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: values, debugDescription: SpoolRecord.notADigest)
    }
    return text
  }
}

/// A folder of spooled batches.
public final class ImportSpool: @unchecked Sendable {
  public let directory: String
  private let lock = NSLock()
  private var sequence = 0

  public init(directory: String) {
    self.directory = directory
  }

  /// Writes `body` (uncompressed JSON lines) and its record durably, the record with the SHA-256
  /// of the data file.
  /// - Returns: the path of the data file.
  @discardableResult
  public func write(body: UnsafeRawBufferPointer, record: SpoolRecord) throws -> String {
    try WritableFolder.create(directory, what: "spool folder")
    lock.lock()
    sequence += 1
    let name = String(format: "%013lld-%d-%06d", Int64(Date().timeIntervalSince1970 * 1000),
                      getpid(), sequence)
    lock.unlock()
    let base = directory + "/" + name
    let data = Gzip.compress(body, level: 6)
    var record = record
    record.dataSHA256 = Digest.hex(.sha256, of: data)
    try Self.writeDurably(data, to: base + ".jsonl.gz")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try Self.writeDurably(Array(try encoder.encode(record)), to: base + ".json")
    try Self.syncDirectory(directory)
    return base + ".jsonl.gz"
  }

  /// The spooled batches, oldest first, and those that cannot be sent as they are: a record
  /// file that cannot be read, a data file without a record.
  /// - Throws: `SystemError` when the folder cannot be listed.
  public func contents() throws -> SpoolContents {
    guard FileManager.default.fileExists(atPath: directory) else {
      throw SystemError("cannot read spool folder \(directory)", code: ENOENT)
    }
    let names: Set<String>
    do {
      names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
    } catch {
      throw SystemError("cannot read spool folder \(directory)", cause: error)
    }
    var contents = SpoolContents()
    for name in names.sorted() {
      let path = directory + "/" + name
      if name.hasSuffix(".jsonl.gz") {
        let recordName = String(name.dropLast(".jsonl.gz".count)) + ".json"
        guard !names.contains(recordName) else { continue }
        // TODO(spool): rebuild the record from the journal; its spooled pieces name no spool
        // file, and a data file left by a crash before its record was written has none at all.
        contents.problems.append(SpoolProblem(
          kind: .missingRecord, path: path,
          reason: "its record file \(recordName) is missing, so what it holds and where it goes "
            + "are not known"))
        continue
      }
      guard name.hasSuffix(".json") else {
        contents.otherFiles += 1
        continue
      }
      let dataPath = String(path.dropLast(".json".count)) + ".jsonl.gz"
      do {
        // A folder, a pipe or a device in a record's place says what it is, and is not opened.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
          throw SpoolRecordDamage(
            reason: info.st_mode & S_IFMT == S_IFDIR ? "it is a folder" : "not a regular file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
          throw SpoolRecordDamage(reason: "it cannot be read")
        }
        contents.entries.append(
          SpoolEntry(recordPath: path, dataPath: dataPath, record: try SpoolRecord.decode(data)))
      } catch let damage as SpoolRecordDamage {
        contents.problems.append(SpoolProblem(kind: .damagedRecord, path: path, reason: damage.reason))
      }
    }
    return contents
  }

  /// The spooled samples of the archives with these SHA-256 digests, and the batches holding
  /// them; none when the folder does not exist or cannot be read.
  public func waiting(archives: Set<String>) -> (batches: Int, samples: Int) {
    let found = ((try? contents().entries) ?? []).filter {
      archives.contains($0.record.archiveSHA256)
    }
    return (found.count, found.reduce(0) { $0 + $1.record.samples })
  }

  /// Writes `record` in place of the record at `recordPath`, durably.
  public func rewrite(recordPath: String, record: SpoolRecord) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try Self.writeDurably(Array(try encoder.encode(record)), to: recordPath)
    try Self.syncDirectory(directory)
  }

  /// Removes a replayed batch.
  public func remove(recordPath: String, dataPath: String) throws {
    try? FileManager.default.removeItem(atPath: dataPath)
    try FileManager.default.removeItem(atPath: recordPath)
    try Self.syncDirectory(directory)
  }

  /// Writes `bytes` to a temporary file, syncs it and renames it to `path`.
  static func writeDurably(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw SystemError("cannot write \(temporary)", code: errno) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        let code = errno
        close(descriptor)
        throw SystemError("cannot write \(temporary)", code: code)
      }
      offset += written
    }
    guard fsync(descriptor) == 0 else {
      let code = errno
      close(descriptor)
      throw SystemError("cannot sync \(temporary)", code: code)
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
      throw SystemError("cannot rename \(temporary)", code: errno)
    }
  }

  static func syncDirectory(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw SystemError("cannot open \(path)", code: errno) }
    defer { close(descriptor) }
    _ = fsync(descriptor)
  }

  /// Seconds since the record of `entry` was last written, nil when it cannot be told.
  static func age(of entry: SpoolEntry) -> Double? {
    var info = stat()
    guard stat(entry.recordPath, &info) == 0 else { return nil }
    let written = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    return Date().timeIntervalSince1970 - written
  }

  /// Decompresses a spooled data file.
  /// - Throws: `InputFault` placed in `path` (truncated, not gzip, at which offset), or
  ///   `SystemError` when it cannot be opened.
  public static func readBody(_ path: String) throws -> [UInt8] {
    try readBody(InputFile(path: path))
  }

  private static func readBody(_ file: InputFile) throws -> [UInt8] {
    let path = file.path
    let reader = GzipReader(file.stream())
    var body: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    do {
      while true {
        let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
        if count == 0 { break }
        body += buffer[0..<count]
      }
    } catch let fault as InputFault {
      throw fault.located(path: path, member: nil)
    }
    return body
  }
}

extension ImportSpool {
  /// The JSON lines of a spooled batch, only when they are what was spooled: the data file has
  /// the SHA-256 its record gives (a record written before it was kept gives none), and its
  /// lines hold the lines and samples the record counts, each one a line VictoriaMetrics reads.
  /// - Throws: `InputFault` when the data file is not gzip to its end, `SpoolDataDamage` when
  ///   it is not what was spooled, `SystemError` when it cannot be opened.
  public static func readBatch(_ entry: SpoolEntry) throws -> [UInt8] {
    let file = try InputFile(path: entry.dataPath)
    let body = try readBody(file)
    let record = entry.record
    if let expected = record.dataSHA256 {
      let found = Digest.hex(.sha256, of: try file.bytes(at: 0, count: Int(file.size)))
      guard found == expected else {
        throw SpoolDataDamage(
          reason: "its SHA-256 is \(found), but its record gives \(expected): it changed after it "
            + "was spooled")
      }
    }
    // The digest says the file is unchanged; the counts also catch what it cannot: a spool of
    // the earlier version, and lines that were wrong when they were spooled.
    var lines = 0
    var samples = 0
    for line in body.split(separator: 0x0A) {
      lines += 1
      guard let count = line.withUnsafeBytes({ SeriesLine.sampleCount($0) }) else {
        throw SpoolDataDamage(
          reason: "line \(lines) is no line VictoriaMetrics imports: it needs a metric, values "
            + "that are numbers and as many timestamps")
      }
      samples += count
    }
    guard lines == record.lines, samples == record.samples else {
      throw SpoolDataDamage(
        reason: "its lines hold \(samples) samples in \(lines) lines, but its record gives "
          + "\(record.samples) in \(record.lines)")
    }
    return body
  }
}
