// Small readers of fixed-width fields shared by the archive formats: zip and gzip store
// little-endian integers, and faults show magic numbers and checksums in hexadecimal.

/// Field decoding for archive headers that were already read into memory.
enum ArchiveBytes {
  /// The little-endian UInt16 at `offset` (the caller checked that `bytes` is long enough).
  static func uint16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }

  /// The little-endian UInt32 at `offset`.
  static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(uint16(bytes, at: offset)) | UInt32(uint16(bytes, at: offset + 2)) << 16
  }

  /// The little-endian UInt64 at `offset`.
  static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    UInt64(uint32(bytes, at: offset)) | UInt64(uint32(bytes, at: offset + 4)) << 32
  }

  /// `value` in lower-case hexadecimal with a `0x` prefix, zero-padded to `digits`.
  static func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
  }
}
