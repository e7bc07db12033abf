// Builders for the archive formats arraytool reads, so that tests make their own inputs byte by
// byte, including damaged ones: tar archives (ustar, GNU long names, PAX, odd checksums), gzip
// members with every optional header field, and the `.tgz` of one .dat that exports consist of.
// Zip archives are built by `ZipBuilder`.

@testable import ArrayToolKit

/// A gzip-compressed tar holding one regular file `datName` with the bytes `dat`, as an array
/// exports it.
func tgz(datName: String, dat: [UInt8]) -> [UInt8] {
  var tar = TarBuilder()
  tar.file(datName, dat)
  return Gzip.compress(tar.build(), level: 6)
}

/// Writes tar archives block by block.
struct TarBuilder {
  /// Which header flavour to write.
  enum Format {
    /// POSIX ustar: magic `ustar\0`, version `00`, prefix field in use.
    case ustar
    /// GNU: magic `ustar  \0`.
    case gnu
    /// Old Unix tar: no magic at all.
    case v7
  }

  enum SizeEncoding {
    case octal
    /// GNU base-256: first byte 0x80, then the size big-endian.
    case base256
  }

  enum Checksum {
    /// The standard unsigned sum.
    case unsigned
    /// The sum of the bytes taken as signed, as some old writers computed it.
    case signed
    /// The unsigned sum plus one.
    case wrong
  }

  var format = Format.ustar
  private(set) var bytes: [UInt8] = []

  /// Adds a regular file (or, with `typeFlag`, any other kind of member with data).
  mutating func file(
    _ name: String, _ data: [UInt8], typeFlag: UInt8 = UInt8(ascii: "0"), prefix: String = "",
    sizeEncoding: SizeEncoding = .octal, checksum: Checksum = .unsigned
  ) {
    bytes += header(
      name: name, size: data.count, typeFlag: typeFlag, prefix: prefix,
      sizeEncoding: sizeEncoding, checksum: checksum)
    bytes += TarBuilder.padded(data)
  }

  mutating func directory(_ name: String) {
    bytes += header(name: name, size: 0, typeFlag: UInt8(ascii: "5"))
  }

  mutating func symlink(_ name: String, target: String) {
    bytes += header(name: name, size: 0, typeFlag: UInt8(ascii: "2"), linkName: target)
  }

  /// A regular file whose name is carried by a GNU `L` header before it (the member's own header
  /// gets the first 100 bytes of the name).
  mutating func fileWithGNULongName(_ name: String, _ data: [UInt8]) {
    bytes += gnuLongName(name)
    file(String(decoding: name.utf8.prefix(100), as: UTF8.self), data)
  }

  /// A GNU `L` record carrying `name` for the member that follows it: a header and the name's
  /// bytes with a NUL, padded.
  func gnuLongName(_ name: String) -> [UInt8] {
    let nameData = Array(name.utf8) + [0]
    return header(name: "././@LongLink", size: nameData.count, typeFlag: UInt8(ascii: "L"))
      + TarBuilder.padded(nameData)
  }

  /// A regular file whose name is carried by a PAX `x` header (`path` record) before it; the
  /// member's own header gets `shortName`.
  mutating func fileWithPAXPath(_ name: String, shortName: String, _ data: [UInt8]) {
    let records = TarBuilder.paxRecord("path", name) + TarBuilder.paxRecord("mtime", "1700000000")
    bytes += header(name: "PaxHeaders.0/\(shortName)", size: records.count, typeFlag: 0x78)
    bytes += TarBuilder.padded(records)
    file(shortName, data)
  }

  /// A global PAX header (`g`), which readers must skip.
  mutating func globalPAX(_ key: String, _ value: String) {
    let records = TarBuilder.paxRecord(key, value)
    bytes += header(name: "pax_global_header", size: records.count, typeFlag: UInt8(ascii: "g"))
    bytes += TarBuilder.padded(records)
  }

  /// Appends bytes as they are (a stray zero block, garbage).
  mutating func raw(_ extra: [UInt8]) {
    bytes += extra
  }

  /// The archive: the members, `endBlocks` zero blocks, then zeros up to a multiple of
  /// `recordSize` bytes (tar's default record is 10240 bytes; nil for none).
  func build(endBlocks: Int = 2, recordSize: Int? = 10240) -> [UInt8] {
    var archive = bytes + [UInt8](repeating: 0, count: 512 * endBlocks)
    if let recordSize, archive.count % recordSize != 0 {
      archive += [UInt8](repeating: 0, count: recordSize - archive.count % recordSize)
    }
    return archive
  }

  /// One 512-byte header block.
  func header(
    name: String, size: Int, typeFlag: UInt8, linkName: String = "", prefix: String = "",
    sizeEncoding: SizeEncoding = .octal, checksum: Checksum = .unsigned
  ) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: 512)
    func put(_ text: [UInt8], at offset: Int, width: Int) {
      for (index, byte) in text.prefix(width).enumerated() { block[offset + index] = byte }
    }
    func octal(_ value: Int, width: Int) -> [UInt8] {
      let digits = String(value, radix: 8)
      return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
    }
    put(Array(name.utf8), at: 0, width: 100)
    put(octal(0o644, width: 8), at: 100, width: 8)
    put(octal(0, width: 8), at: 108, width: 8)
    put(octal(0, width: 8), at: 116, width: 8)
    switch sizeEncoding {
    case .octal:
      put(octal(size, width: 12), at: 124, width: 12)
    case .base256:
      var field = [UInt8](repeating: 0, count: 12)
      field[0] = 0x80
      for index in 0..<8 { field[11 - index] = UInt8(truncatingIfNeeded: size >> (8 * index)) }
      put(field, at: 124, width: 12)
    }
    put(octal(1_700_000_000, width: 12), at: 136, width: 12)
    put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148, width: 8)
    block[156] = typeFlag
    put(Array(linkName.utf8), at: 157, width: 100)
    switch format {
    case .ustar: put(Array("ustar\u{0}00".utf8), at: 257, width: 8)
    case .gnu: put(Array("ustar  \u{0}".utf8), at: 257, width: 8)
    case .v7: break
    }
    if format != .v7 {
      put(Array("root".utf8), at: 265, width: 32)
      put(Array("root".utf8), at: 297, width: 32)
    }
    if format == .ustar { put(Array(prefix.utf8), at: 345, width: 155) }

    var sum = 0
    for byte in block { sum += checksum == .signed ? Int(Int8(bitPattern: byte)) : Int(byte) }
    if checksum == .wrong { sum += 1 }
    let digits = String(sum, radix: 8)
    put(
      Array((String(repeating: "0", count: max(0, 6 - digits.count)) + digits).utf8) + [0, 0x20],
      at: 148, width: 8)
    return block
  }

  /// `data` followed by zeros up to the next 512-byte boundary.
  static func padded(_ data: [UInt8]) -> [UInt8] {
    data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
  }

  /// One PAX record, `"<length> key=value\n"`, where the length counts its own digits.
  static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
    let body = " \(key)=\(value)\n"
    var length = body.utf8.count + 1
    while String(length).count + body.utf8.count != length { length += 1 }
    return Array("\(length)\(body)".utf8)
  }
}

/// Writes gzip members with any of the optional header fields.
enum GzipBuilder {
  /// One member compressing `data`. The header has MTIME 0, XFL 0 and OS 3 (Unix).
  /// - Parameters:
  ///   - text: sets FTEXT.
  ///   - headerCRC: adds FHCRC with the right CRC-16, or the given wrong value.
  ///   - crc: the trailer's CRC-32 (the data's when nil).
  ///   - length: the trailer's ISIZE (the data's length when nil).
  static func member(
    _ data: [UInt8], name: String? = nil, comment: String? = nil, extra: [UInt8]? = nil,
    text: Bool = false, headerCRC: Bool = false, wrongHeaderCRC: UInt16? = nil,
    crc: UInt32? = nil, length: UInt32? = nil
  ) -> [UInt8] {
    var flags: UInt8 = text ? 0x01 : 0
    if headerCRC || wrongHeaderCRC != nil { flags |= 0x02 }
    if extra != nil { flags |= 0x04 }
    if name != nil { flags |= 0x08 }
    if comment != nil { flags |= 0x10 }
    var header: [UInt8] = [0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]
    if let extra { header += le16(UInt16(extra.count)) + extra }
    if let name { header += Array(name.utf8) + [0] }
    if let comment { header += Array(comment.utf8) + [0] }
    if flags & 0x02 != 0 {
      let value = wrongHeaderCRC ?? UInt16(truncatingIfNeeded: CRC32.checksum(header))
      header += le16(value)
    }
    return header + Gzip.rawDeflate(data)
      + le32(crc ?? CRC32.checksum(data)) + le32(length ?? UInt32(truncatingIfNeeded: data.count))
  }
}

/// `value` as 2 little-endian bytes.
func le16(_ value: UInt16) -> [UInt8] {
  [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
}

/// `value` as 4 little-endian bytes.
func le32(_ value: UInt32) -> [UInt8] {
  le16(UInt16(truncatingIfNeeded: value)) + le16(UInt16(truncatingIfNeeded: value >> 16))
}

/// `value` as 8 little-endian bytes.
func le64(_ value: UInt64) -> [UInt8] {
  le32(UInt32(truncatingIfNeeded: value)) + le32(UInt32(truncatingIfNeeded: value >> 32))
}

/// Reads a whole `ByteSource` in chunks of `chunk` bytes.
func readAll(_ source: ByteSource, chunk: Int = 4096) throws -> [UInt8] {
  var result: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: chunk)
  while true {
    let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
    if count == 0 { return result }
    result += buffer[0..<count]
  }
}

/// Deterministic bytes that compress somewhat, like counters in a .dat.
func sampleBytes(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
  var state = seed
  return (0..<count).map { index in
    state = state &* 1_103_515_245 &+ 12345
    return index % 4 == 3 ? UInt8(truncatingIfNeeded: state >> 16) : UInt8(index % 7)
  }
}

/// The `InputFault` that `body` throws; nil when it throws nothing or another error.
func thrownFault<T>(_ body: () throws -> T) -> InputFault? {
  do {
    _ = try body()
    return nil
  } catch {
    return error as? InputFault
  }
}
