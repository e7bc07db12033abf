// Decodes one central directory record into a `ZipEntry`, including the extra fields that change
// what the fixed part says: ZIP64 sizes and offsets, and Info-ZIP's UTF-8 copy of the name.

/// The raw fields of one central directory record.
struct ZipEntryRecord {
  let fixed: [UInt8]
  let variable: [UInt8]
  let nameLength: Int
  let extraLength: Int
  /// Where the record starts in the file.
  let offset: Int64
  /// Bytes in front of the archive, added to the stored local header offset.
  let prepended: Int64

  func entry() throws -> ZipEntry {
    let flags = ArchiveBytes.uint16(fixed, at: 8)
    let rawName = Array(variable[0..<nameLength])
    let extra = Array(variable[nameLength..<(nameLength + extraLength)])
    var sizes = ZipSizes(
      uncompressed: UInt64(ArchiveBytes.uint32(fixed, at: 24)),
      compressed: UInt64(ArchiveBytes.uint32(fixed, at: 20)),
      localOffset: UInt64(ArchiveBytes.uint32(fixed, at: 42)))
    var usesZip64 = false
    var name = ZipEntry.decodeName(rawName, utf8: flags & 0x0800 != 0)

    for (id, data) in ZipEntryRecord.extraFields(extra) {
      switch id {
      case 0x0001:
        guard sizes.widen(from: data) else {
          throw InputFault(
            .badHeader, at: offset,
            "the ZIP64 extra field of \(name) is too short for the values it must hold")
        }
        usesZip64 = true
      case 0x7075:
        // Info-ZIP Unicode path: valid only while the CRC of the stored name still matches.
        if data.count > 5, data[0] == 1,
          ArchiveBytes.uint32(data, at: 1) == CRC32.checksum(rawName)
        {
          name = String(decoding: data[5...], as: UTF8.self)
        }
      default:
        break
      }
    }

    let limit = UInt64(Int64.max / 2)
    guard sizes.uncompressed <= limit, sizes.compressed <= limit, sizes.localOffset <= limit
    else {
      throw InputFault(.badHeader, at: offset, "the sizes of \(name) cannot be real")
    }
    return ZipEntry(
      name: name, rawName: rawName, method: ArchiveBytes.uint16(fixed, at: 10), flags: flags,
      crc32: ArchiveBytes.uint32(fixed, at: 16), compressedSize: Int64(sizes.compressed),
      uncompressedSize: Int64(sizes.uncompressed),
      localHeaderOffset: Int64(sizes.localOffset) + prepended,
      centralHeaderOffset: offset, usesZip64: usesZip64)
  }

  /// The (id, data) pairs of an extra field block; a malformed tail is ignored, as unzip does.
  static func extraFields(_ extra: [UInt8]) -> [(UInt16, [UInt8])] {
    var fields: [(UInt16, [UInt8])] = []
    var cursor = 0
    while cursor + 4 <= extra.count {
      let id = ArchiveBytes.uint16(extra, at: cursor)
      let size = Int(ArchiveBytes.uint16(extra, at: cursor + 2))
      guard cursor + 4 + size <= extra.count else { break }
      fields.append((id, Array(extra[(cursor + 4)..<(cursor + 4 + size)])))
      cursor += 4 + size
    }
    return fields
  }
}

/// The three values a ZIP64 extra field can widen, in the order it stores them.
struct ZipSizes {
  var uncompressed: UInt64
  var compressed: UInt64
  var localOffset: UInt64

  /// Replaces each value saturated at 0xFFFFFFFF by the next 64-bit value of a ZIP64 extra
  /// field's `data`; only saturated values are stored there, always in this order.
  /// - Returns: false when `data` is too short for them.
  mutating func widen(from data: [UInt8]) -> Bool {
    var cursor = 0
    for field in [\ZipSizes.uncompressed, \.compressed, \.localOffset]
    where self[keyPath: field] == 0xffff_ffff {
      guard cursor + 8 <= data.count else { return false }
      self[keyPath: field] = ArchiveBytes.uint64(data, at: cursor)
      cursor += 8
    }
    return true
  }
}
