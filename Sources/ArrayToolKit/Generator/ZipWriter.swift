// Writes zip archives of stored entries to a file, entry after entry, as an array's export tool
// does: the .tgz members are already compressed, so they are stored as they are.

import Foundation

/// Writes a zip archive sequentially.
public final class ZipWriter {
  private struct Entry {
    var name: [UInt8]
    var crc: UInt32
    var size: UInt32
    var offset: UInt32
    var time: UInt16
    var date: UInt16
  }

  private let handle: FileHandle
  private let path: String
  private var entries: [Entry] = []
  private var offset: UInt64 = 0
  private let digest = Digest(.sha256)

  /// Creates (or truncates) `path`.
  public init(path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
      throw SystemError("cannot write \(path)", code: errno)
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw SystemError("cannot write \(path)", code: errno)
    }
    self.handle = handle
    self.path = path
  }

  /// Adds a stored entry.
  public func addStored(name: String, bytes: [UInt8], modified: Int64) throws {
    guard offset + UInt64(bytes.count) < UInt64(UInt32.max) else {
      throw SystemError("cannot write \(path)", code: EFBIG, reason: "archive over 4 GiB")
    }
    let (time, date) = Self.dosTime(modified)
    let entry = Entry(
      name: Array(name.utf8), crc: CRC32.checksum(bytes), size: UInt32(bytes.count),
      offset: UInt32(offset), time: time, date: date)
    var header: [UInt8] = []
    Self.le(0x0403_4B50, 4, &header)
    Self.le(20, 2, &header)
    Self.le(0x0800, 2, &header)
    Self.le(0, 2, &header)
    Self.le(UInt32(time), 2, &header)
    Self.le(UInt32(date), 2, &header)
    Self.le(entry.crc, 4, &header)
    Self.le(entry.size, 4, &header)
    Self.le(entry.size, 4, &header)
    Self.le(UInt32(entry.name.count), 2, &header)
    Self.le(0, 2, &header)
    header += entry.name
    try write(header)
    try write(bytes)
    entries.append(entry)
  }

  /// Writes the central directory and closes the file.
  /// - Returns: the SHA-256 of the whole archive as hex.
  public func finish() throws -> String {
    let start = offset
    for entry in entries {
      var record: [UInt8] = []
      Self.le(0x0201_4B50, 4, &record)
      Self.le(0x031E, 2, &record)
      Self.le(20, 2, &record)
      Self.le(0x0800, 2, &record)
      Self.le(0, 2, &record)
      Self.le(UInt32(entry.time), 2, &record)
      Self.le(UInt32(entry.date), 2, &record)
      Self.le(entry.crc, 4, &record)
      Self.le(entry.size, 4, &record)
      Self.le(entry.size, 4, &record)
      Self.le(UInt32(entry.name.count), 2, &record)
      Self.le(0, 2, &record)
      Self.le(0, 2, &record)
      Self.le(0, 2, &record)
      Self.le(0, 2, &record)
      Self.le(0o100644 << 16, 4, &record)
      Self.le(entry.offset, 4, &record)
      record += entry.name
      try write(record)
    }
    var end: [UInt8] = []
    Self.le(0x0605_4B50, 4, &end)
    Self.le(0, 4, &end)
    Self.le(UInt32(entries.count), 2, &end)
    Self.le(UInt32(entries.count), 2, &end)
    Self.le(UInt32(offset - start), 4, &end)
    Self.le(UInt32(start), 4, &end)
    Self.le(0, 2, &end)
    try write(end)
    try handle.close()
    return digest.finalHex()
  }

  private func write(_ bytes: [UInt8]) throws {
    digest.update(bytes)
    do {
      try handle.write(contentsOf: Data(bytes))
    } catch {
      throw SystemError("cannot write \(path)", code: EIO, reason: "\(error.localizedDescription)")
    }
    offset += UInt64(bytes.count)
  }

  private static func le(_ value: UInt32, _ count: Int, _ bytes: inout [UInt8]) {
    for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
  }

  /// MS-DOS time and date fields of Unix seconds (UTC).
  static func dosTime(_ seconds: Int64) -> (UInt16, UInt16) {
    let c = LogTime(milliseconds: seconds * 1000).components
    let time = UInt16(c.hour << 11 | c.minute << 5 | c.second / 2)
    let date = UInt16(max(0, c.year - 1980) << 9 | c.month << 5 | c.day)
    return (time, date)
  }
}
