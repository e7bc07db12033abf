// Builds zip archives for tests, with control over every detail that a reader must cope with:
// stored or deflated entries, data descriptors with and without signature, ZIP64 extra fields and
// end records, data in front of the archive, an archive comment, and headers that lie (a wrong
// CRC-32 in all headers or in the central directory only, an encrypted flag, any method number).

@testable import ArrayToolKit

struct ZipBuilder {
  enum Descriptor {
    case none
    case withSignature
    case withoutSignature
  }

  struct Entry {
    var name: String
    var data: [UInt8]
    /// 0 stored, 8 deflate; any other number stores `data` as it is under that method.
    var method: UInt16 = 8
    var descriptor = Descriptor.none
    /// Saturated 32-bit fields with ZIP64 extra fields in the local and central headers.
    var zip64 = false
    var encrypted = false
    /// Sets flag bit 11; non-ASCII names get it anyway unless `rawName` is given.
    var utf8Flag = false
    /// The stored name bytes, when they are not the UTF-8 of `name` (a code page 437 name).
    var rawName: [UInt8]?
    /// A different name in the local header only.
    var localName: String?
    /// CRC-32 written in every header and descriptor instead of the data's.
    var crcEverywhere: UInt32?
    /// CRC-32 written in the central directory only.
    var centralCRC: UInt32?
    /// Uncompressed size written in the central directory only.
    var centralUncompressedSize: UInt32?
    /// Bytes stored as the entry's data instead of `data` compressed by `method` (a cut deflate
    /// stream); CRC-32 and uncompressed size still describe `data`.
    var storedData: [UInt8]?
    /// An offset in the archive (without prepended bytes) for the central record to point at
    /// instead of a local header of its own: another entry's header, or a place inside its
    /// data. Nothing but the central record is written.
    var localHeaderAt: Int?

    init(_ name: String, _ data: [UInt8], method: UInt16 = 8) {
      self.name = name
      self.data = data
      self.method = method
    }
  }

  /// Where things ended up in the built archive.
  struct Output {
    var bytes: [UInt8]
    var localHeaderOffsets: [Int] = []
    var dataOffsets: [Int] = []
    var centralHeaderOffsets: [Int] = []
    var centralDirectoryOffset = 0
    var endRecordOffset = 0
  }

  var entries: [Entry] = []
  /// Bytes put before the archive without adjusting its offsets (`cat stub archive.zip`).
  var prepended: [UInt8] = []
  var comment = ""
  /// Writes a ZIP64 end record and locator, and saturates the end record's fields.
  var zip64End = false

  mutating func add(_ entry: Entry) {
    entries.append(entry)
  }

  func build() -> Output {
    var output = Output(bytes: prepended)
    var central: [UInt8] = []
    var recordStarts: [Int] = []
    for entry in entries {
      let localOffset = entry.localHeaderAt ?? (output.bytes.count - prepended.count)
      output.localHeaderOffsets.append(localOffset + prepended.count)
      let stored: [UInt8] =
        entry.storedData ?? (entry.method == 8 ? Gzip.rawDeflate(entry.data) : entry.data)
      let crc = entry.crcEverywhere ?? CRC32.checksum(entry.data)
      let nameBytes = entry.rawName ?? Array(entry.name.utf8)
      var flags: UInt16 = entry.encrypted ? 0x0001 : 0
      if entry.descriptor != .none { flags |= 0x0008 }
      if entry.utf8Flag || (entry.rawName == nil && nameBytes.contains { $0 >= 0x80 }) {
        flags |= 0x0800
      }
      let sizes = (compressed: UInt64(stored.count), uncompressed: UInt64(entry.data.count))

      var local = le32(0x0403_4b50) + le16(entry.zip64 ? 45 : 20) + le16(flags)
      local += le16(entry.method) + le16(0) + le16(0x5b79)
      if entry.descriptor != .none {
        local += le32(0) + le32(0) + le32(0)
      } else if entry.zip64 {
        local += le32(crc) + le32(0xffff_ffff) + le32(0xffff_ffff)
      } else {
        local += le32(crc) + le32(UInt32(sizes.compressed)) + le32(UInt32(sizes.uncompressed))
      }
      let localExtra =
        entry.zip64 ? ZipBuilder.zip64Extra([sizes.uncompressed, sizes.compressed]) : []
      let localName = entry.localName.map { Array($0.utf8) } ?? nameBytes
      local += le16(UInt16(localName.count)) + le16(UInt16(localExtra.count))
      output.dataOffsets.append(
        localOffset + prepended.count + local.count + localName.count + localExtra.count)
      if entry.localHeaderAt == nil { output.bytes += local + localName + localExtra + stored }

      // An entry pointing at another's header has no descriptor of its own either.
      switch entry.localHeaderAt == nil ? entry.descriptor : .none {
      case .none: break
      case .withSignature, .withoutSignature:
        if entry.descriptor == .withSignature { output.bytes += le32(0x0807_4b50) }
        output.bytes += le32(crc)
        output.bytes +=
          entry.zip64
          ? le64(sizes.compressed) + le64(sizes.uncompressed)
          : le32(UInt32(sizes.compressed)) + le32(UInt32(sizes.uncompressed))
      }

      recordStarts.append(central.count)
      var record = le32(0x0201_4b50) + le16(0x031e) + le16(entry.zip64 ? 45 : 20) + le16(flags)
      record += le16(entry.method) + le16(0) + le16(0x5b79) + le32(entry.centralCRC ?? crc)
      let centralExtra: [UInt8]
      if entry.zip64 {
        record += le32(0xffff_ffff) + le32(0xffff_ffff)
        centralExtra = ZipBuilder.zip64Extra(
          [sizes.uncompressed, sizes.compressed, UInt64(localOffset)])
      } else {
        record += le32(UInt32(sizes.compressed))
        record += le32(entry.centralUncompressedSize ?? UInt32(sizes.uncompressed))
        centralExtra = []
      }
      record += le16(UInt16(nameBytes.count)) + le16(UInt16(centralExtra.count)) + le16(0)
      record += le16(0) + le16(0) + le32(0o100644 << 16)
      record += le32(entry.zip64 ? 0xffff_ffff : UInt32(localOffset))
      central.append(contentsOf: record + nameBytes + centralExtra)
    }

    output.centralDirectoryOffset = output.bytes.count
    output.centralHeaderOffsets = recordStarts.map { $0 + output.centralDirectoryOffset }
    output.bytes += central
    let cursor = output.centralDirectoryOffset - prepended.count
    let count = UInt64(entries.count)

    if zip64End {
      let recordOffset = output.bytes.count - prepended.count
      output.bytes += le32(0x0606_4b50) + le64(44) + le16(0x031e) + le16(45) + le32(0) + le32(0)
      output.bytes += le64(count) + le64(count) + le64(UInt64(central.count)) + le64(UInt64(cursor))
      output.bytes += le32(0x0706_4b50) + le32(0) + le64(UInt64(recordOffset)) + le32(1)
    }
    output.endRecordOffset = output.bytes.count
    let commentBytes = Array(comment.utf8)
    output.bytes += le32(0x0605_4b50) + le16(0) + le16(0)
    if zip64End {
      output.bytes += le16(0xffff) + le16(0xffff) + le32(0xffff_ffff) + le32(0xffff_ffff)
    } else {
      output.bytes += le16(UInt16(count)) + le16(UInt16(count)) + le32(UInt32(central.count))
      output.bytes += le32(UInt32(cursor))
    }
    output.bytes += le16(UInt16(commentBytes.count)) + commentBytes
    return output
  }

  /// The local header and data of `entry` as an archive holds them: the bytes to hide in
  /// another entry's data.
  static func localBytes(of entry: Entry) -> [UInt8] {
    var zip = ZipBuilder()
    zip.add(entry)
    let built = zip.build()
    return Array(built.bytes[..<built.centralDirectoryOffset])
  }

  /// A ZIP64 extra field (id 1) holding `values` as 8-byte numbers.
  static func zip64Extra(_ values: [UInt64]) -> [UInt8] {
    le16(0x0001) + le16(UInt16(values.count * 8)) + values.flatMap(le64)
  }
}
