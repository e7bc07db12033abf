// Finds and reads the central directory of a zip file: the end record is searched backwards
// from the end (an archive comment may follow it), ZIP64 records take over when sizes or counts
// outgrow 32 bits, and data prepended to the archive (a self-extractor stub, a script) is
// measured so that every stored offset can be corrected by it.

/// The entries of a zip file's central directory and what was noticed while reading them.
struct ZipCentralDirectory {
  private static let endSignature: UInt32 = 0x0605_4b50
  private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
  private static let zip64EndSignature: UInt32 = 0x0606_4b50
  static let entrySignature: UInt32 = 0x0201_4b50
  static let localSignature: UInt32 = 0x0403_4b50
  private static let endRecordSize = 22
  private static let maximumComment = 65535

  private(set) var entries: [ZipEntry] = []
  private(set) var notes: [InputNote] = []
  private(set) var faults: [InputFault] = []
  private(set) var comment = ""

  private let file: InputFile

  /// Where the directory lies and what the end records say about it.
  private struct Layout {
    var directoryOffset: Int64
    var directorySize: Int64
    var entryCount: UInt64
    var isZip64: Bool
    /// Where the directory really ends: the ZIP64 end record or the end record.
    var directoryEnd: Int64
  }

  /// Reads the directory of `file`.
  /// - Throws: an `InputFault` without a path when the file is no zip or its directory is cut.
  init(file: InputFile) throws {
    self.file = file
    let endOffset = try findEndRecord()
    var layout = try readEndRecords(at: endOffset)
    let prepended = try measurePrependedData(&layout)
    try readEntries(layout, prepended: prepended)
  }

  // MARK: - End records

  private mutating func findEndRecord() throws -> Int64 {
    let tailLength = Int(min(file.size, Int64(Self.endRecordSize + Self.maximumComment)))
    let tailStart = file.size - Int64(tailLength)
    let tail = try file.bytes(at: tailStart, count: tailLength)
    var found: Int?
    var index = tail.count - Self.endRecordSize
    while index >= 0 {
      if tail[index] == 0x50, ArchiveBytes.uint32(tail, at: index) == Self.endSignature {
        let recordEnd = index + Self.endRecordSize
        let commentLength = Int(ArchiveBytes.uint16(tail, at: index + 20))
        if recordEnd + commentLength == tail.count {
          found = index
          break
        }
        // A record whose comment stops short of the end: keep looking for an exact one first.
        if found == nil, recordEnd + commentLength < tail.count { found = index }
      }
      index -= 1
    }
    guard let found else { throw try missingEndRecord() }

    let record = Array(tail[found...])
    let commentLength = Int(ArchiveBytes.uint16(record, at: 20))
    comment = ZipEntry.decodeName(
      Array(record[Self.endRecordSize..<(Self.endRecordSize + commentLength)]), utf8: true)
    let after = record.count - Self.endRecordSize - commentLength
    if after > 0 {
      notes.append(
        InputNote(
          at: file.size - Int64(after), "\(after) bytes follow the end of the zip archive"))
    }
    return tailStart + Int64(found)
  }

  private func missingEndRecord() throws -> InputFault {
    if file.size == 0 { return InputFault(.truncated, at: 0, "the file is empty") }
    let start = try file.bytes(at: 0, count: 4)
    if start.count == 4, ArchiveBytes.uint32(start, at: 0) == Self.localSignature {
      return InputFault(
        .truncated, at: file.size,
        "the zip archive is cut: it ends before its central directory's end record")
    }
    return InputFault(.notZip, at: 0, "not a zip archive: no end of central directory record")
  }

  private mutating func readEndRecords(at endOffset: Int64) throws -> Layout {
    let record = try file.bytes(at: endOffset, count: Self.endRecordSize)
    let disk = ArchiveBytes.uint16(record, at: 4)
    let directoryDisk = ArchiveBytes.uint16(record, at: 6)
    guard disk == 0 || disk == 0xffff, directoryDisk == 0 || directoryDisk == 0xffff else {
      throw InputFault(
        .badHeader, at: endOffset + 4, "split (multi-volume) zip archives cannot be read")
    }
    var layout = Layout(
      directoryOffset: Int64(ArchiveBytes.uint32(record, at: 16)),
      directorySize: Int64(ArchiveBytes.uint32(record, at: 12)),
      entryCount: UInt64(ArchiveBytes.uint16(record, at: 10)), isZip64: false,
      directoryEnd: endOffset)

    let locatorOffset = endOffset - 20
    guard locatorOffset >= 0 else { return layout }
    let locator = try file.bytes(at: locatorOffset, count: 20)
    guard ArchiveBytes.uint32(locator, at: 0) == Self.zip64LocatorSignature else { return layout }

    // The locator's offset is off by any prepended data; the record usually sits right before
    // the locator, so look there when it is not where the locator says.
    let recorded = ArchiveBytes.uint64(locator, at: 8)
    var candidates = [locatorOffset - 56]
    if recorded < UInt64(locatorOffset) { candidates.insert(Int64(recorded), at: 0) }
    for candidate in candidates where candidate >= 0 {
      let zip64 = try file.bytes(at: candidate, count: 56)
      guard zip64.count == 56, ArchiveBytes.uint32(zip64, at: 0) == Self.zip64EndSignature
      else { continue }
      let directorySize = ArchiveBytes.uint64(zip64, at: 40)
      let directoryOffset = ArchiveBytes.uint64(zip64, at: 48)
      guard directorySize <= UInt64(file.size), directoryOffset <= UInt64(file.size) else {
        throw InputFault(
          .badHeader, at: candidate + 40,
          "the ZIP64 end record places the central directory outside the file")
      }
      layout.directorySize = Int64(directorySize)
      layout.directoryOffset = Int64(directoryOffset)
      layout.entryCount = ArchiveBytes.uint64(zip64, at: 32)
      layout.isZip64 = true
      layout.directoryEnd = candidate
      return layout
    }
    throw InputFault(
      .badHeader, at: locatorOffset,
      "the ZIP64 locator points to offset \(recorded), where there is no ZIP64 end record")
  }

  /// Compares where the directory is with where the end record says it is: the difference is
  /// data in front of the archive, which shifts every stored offset.
  private mutating func measurePrependedData(_ layout: inout Layout) throws -> Int64 {
    guard layout.directorySize <= layout.directoryEnd else {
      throw InputFault(
        .truncated, at: layout.directoryEnd,
        "the central directory is cut: it should be \(layout.directorySize) bytes but only "
          + "\(layout.directoryEnd) bytes precede its end record")
    }
    let actualStart = layout.directoryEnd - layout.directorySize
    let shift = actualStart - layout.directoryOffset
    if shift < 0 {
      throw InputFault(
        .truncated, at: layout.directoryEnd,
        "the central directory is cut: it should start at offset \(layout.directoryOffset) "
          + "and be \(layout.directorySize) bytes, but its end record is at "
          + "\(layout.directoryEnd)")
    }
    guard shift > 0 else { return 0 }
    if try signature(at: actualStart) == Self.entrySignature || layout.directorySize == 0 {
      notes.append(
        InputNote(
          at: 0,
          "\(shift) bytes of other data precede the zip archive (a self-extractor?); "
            + "offsets are read relative to where the archive starts"))
      layout.directoryOffset = actualStart
      return shift
    }
    if try signature(at: layout.directoryOffset) == Self.entrySignature {
      // The directory is where it says; something sits between it and the end record.
      notes.append(
        InputNote(
          at: layout.directoryOffset + layout.directorySize,
          "\(shift) bytes of unknown data lie between the central directory and its end record"
        ))
      return 0
    }
    throw InputFault(
      .badHeader, at: layout.directoryOffset,
      "no central directory at offset \(layout.directoryOffset) or \(actualStart)")
  }

  private func signature(at offset: Int64) throws -> UInt32? {
    let bytes = try file.bytes(at: offset, count: 4)
    return bytes.count == 4 ? ArchiveBytes.uint32(bytes, at: 0) : nil
  }

  // MARK: - Entries

  private mutating func readEntries(_ layout: Layout, prepended: Int64) throws {
    let input = BufferedInput(
      file.stream(from: layout.directoryOffset, length: layout.directorySize),
      position: layout.directoryOffset)
    var seen = Set<String>()
    while try input.require(1) {
      let offset = input.position
      guard let fixed = try input.take(46) else {
        throw InputFault(
          .truncated, at: input.endOfRead,
          "the central directory ends inside entry \(entries.count + 1)")
      }
      guard ArchiveBytes.uint32(fixed, at: 0) == Self.entrySignature else {
        // Some writers put a digital signature record or padding after the entries.
        if entries.count > 0, UInt64(entries.count) == layout.entryCount { break }
        throw InputFault(
          .badHeader, at: offset, "central directory entry \(entries.count + 1) has no signature")
      }
      let nameLength = Int(ArchiveBytes.uint16(fixed, at: 28))
      let extraLength = Int(ArchiveBytes.uint16(fixed, at: 30))
      let commentLength = Int(ArchiveBytes.uint16(fixed, at: 32))
      guard let variable = try input.take(nameLength + extraLength + commentLength) else {
        throw InputFault(
          .truncated, at: input.endOfRead,
          "the central directory ends inside entry \(entries.count + 1)")
      }
      let entry = try ZipEntryRecord(
        fixed: fixed, variable: variable, nameLength: nameLength, extraLength: extraLength,
        offset: offset, prepended: prepended
      ).entry()
      entries.append(entry)
      check(entry, seen: &seen)
    }
    // Without ZIP64 the count is 16 bits; writers that overflow it wrap around.
    let expected = layout.isZip64 ? layout.entryCount : layout.entryCount & 0xffff
    let counted = layout.isZip64 ? UInt64(entries.count) : UInt64(entries.count) & 0xffff
    guard counted == expected else {
      throw InputFault(
        .badHeader, at: layout.directoryOffset,
        "the end record announces \(layout.entryCount) entries but the central directory "
          + "holds \(entries.count)")
    }
  }

  private mutating func check(_ entry: ZipEntry, seen: inout Set<String>) {
    if let reason = entry.unsafeNameReason {
      faults.append(
        InputFault(
          .unsafeName, at: entry.centralHeaderOffset, reason, path: file.path, member: entry.name))
    }
    if !seen.insert(entry.name).inserted {
      faults.append(
        InputFault(
          .duplicateName, at: entry.centralHeaderOffset,
          "another entry of the same name comes earlier in the archive", path: file.path,
          member: entry.name))
    }
  }
}
