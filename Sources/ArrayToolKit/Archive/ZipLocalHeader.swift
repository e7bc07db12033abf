// The local header in front of each zip entry's data. Readers that trust only the central
// directory can be fooled by an archive whose local headers say something else (another name,
// another size); checking the two against each other exposes such damage before any data flows.

/// An entry's local header, checked against its central directory record.
struct ZipLocalHeader {
  /// Where the entry's data starts in the file.
  let dataOffset: Int64
  /// Whether the local header carries a ZIP64 extra field (its data descriptor then has 8-byte
  /// sizes).
  let usesZip64: Bool

  /// Reads the local header of `entry` and compares it with the central directory.
  /// - Throws: unlocated `InputFault`s (`bad_header`, `truncated`).
  init(file: InputFile, entry: ZipEntry) throws {
    let offset = entry.localHeaderOffset
    let fixed = try file.bytes(at: offset, count: 30)
    guard fixed.count == 30 else {
      throw InputFault(.truncated, at: file.size, "the file ends inside the entry's local header")
    }
    guard ArchiveBytes.uint32(fixed, at: 0) == ZipCentralDirectory.localSignature else {
      throw InputFault(.badHeader, at: offset, "no local header at offset \(offset)")
    }
    let flags = ArchiveBytes.uint16(fixed, at: 6)
    let method = ArchiveBytes.uint16(fixed, at: 8)
    let nameLength = Int(ArchiveBytes.uint16(fixed, at: 26))
    let extraLength = Int(ArchiveBytes.uint16(fixed, at: 28))
    let variable = try file.bytes(at: offset + 30, count: nameLength + extraLength)
    guard variable.count == nameLength + extraLength else {
      throw InputFault(.truncated, at: file.size, "the file ends inside the entry's local header")
    }

    let name = Array(variable[0..<nameLength])
    guard name == entry.rawName else {
      let shown = ZipEntry.decodeName(name, utf8: flags & 0x0800 != 0)
      throw InputFault(
        .badHeader, at: offset + 30,
        "the local header names \"\(shown)\", the central directory \"\(entry.name)\"")
    }
    guard method == entry.method else {
      throw InputFault(
        .badHeader, at: offset + 8,
        "the local header gives method \(method), the central directory \(entry.method)")
    }

    var sizes = ZipSizes(
      uncompressed: UInt64(ArchiveBytes.uint32(fixed, at: 22)),
      compressed: UInt64(ArchiveBytes.uint32(fixed, at: 18)), localOffset: 0)
    let zip64 = ZipEntryRecord.extraFields(Array(variable[nameLength...]))
      .first { $0.0 == 0x0001 }
    if let zip64, !sizes.widen(from: zip64.1) {
      throw InputFault(
        .badHeader, at: offset + 30 + Int64(nameLength),
        "the local ZIP64 extra field is too short for the sizes it must hold")
    }
    usesZip64 = zip64 != nil
    dataOffset = offset + 30 + Int64(nameLength) + Int64(extraLength)

    // With a data descriptor the local values are usually zero: the writer did not know them.
    guard flags & 0x0008 == 0, !entry.hasDataDescriptor else { return }
    let crc = ArchiveBytes.uint32(fixed, at: 14)
    guard crc == entry.crc32, sizes.compressed == UInt64(entry.compressedSize),
      sizes.uncompressed == UInt64(entry.uncompressedSize)
    else {
      throw InputFault(
        .badHeader, at: offset + 14,
        "the local header gives CRC-32 \(ArchiveBytes.hex(crc, digits: 8)) and sizes "
          + "\(sizes.compressed)/\(sizes.uncompressed), the central directory "
          + "\(ArchiveBytes.hex(entry.crc32, digits: 8)) and "
          + "\(entry.compressedSize)/\(entry.uncompressedSize)")
    }
  }
}
