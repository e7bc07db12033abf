// One file of a zip archive as its central directory describes it, with the name decoded the way
// the writer meant it (UTF-8 when flag bit 11 says so, the IBM PC code page 437 otherwise) and
// the checks on names that must never be extracted or trusted as written.

/// An entry of a zip archive's central directory.
public struct ZipEntry: Equatable, Sendable {
  /// The name as decoded; `/` separates folders.
  public let name: String
  /// The name exactly as stored, compared with the local header.
  public let rawName: [UInt8]
  /// Compression method: 0 stored, 8 deflate, others unsupported.
  public let method: UInt16
  /// General purpose flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name).
  public let flags: UInt16
  /// The CRC-32 of the uncompressed data.
  public let crc32: UInt32
  /// Bytes of stored (compressed) data in the file.
  public let compressedSize: Int64
  /// Bytes the entry holds once uncompressed.
  public let uncompressedSize: Int64
  /// Offset of the local header in the file, adjusted for data prepended to the archive.
  public let localHeaderOffset: Int64
  /// Offset of this entry's record in the central directory, in the file.
  public let centralHeaderOffset: Int64
  /// Whether sizes or the offset came from a ZIP64 extra field.
  public let usesZip64: Bool

  /// Folders are stored as entries whose name ends with `/`.
  public var isDirectory: Bool { name.hasSuffix("/") }
  /// Encrypted entries (flag bit 0) cannot be read.
  public var isEncrypted: Bool { flags & 0x0001 != 0 }
  /// CRC and sizes follow the data instead of being in the local header.
  public var hasDataDescriptor: Bool { flags & 0x0008 != 0 }

  /// Why the name is unsafe to use as a path (absolute, drive letter, `..`); nil when it is safe.
  public var unsafeNameReason: String? { MemberName.unsafeReason(name) }

  /// Decodes a stored name: UTF-8 when `utf8` (flag bit 11), code page 437 otherwise. Plain
  /// ASCII, by far the most common, reads the same either way.
  static func decodeName(_ bytes: [UInt8], utf8: Bool) -> String {
    if utf8 || bytes.allSatisfy({ $0 < 0x80 }) {
      return String(decoding: bytes, as: UTF8.self)
    }
    var scalars = String.UnicodeScalarView()
    for byte in bytes {
      if byte < 0x80 {
        scalars.append(Unicode.Scalar(byte))
      } else {
        scalars.append(Unicode.Scalar(ZipEntry.cp437High[Int(byte - 0x80)]) ?? "\u{FFFD}")
      }
    }
    return String(scalars)
  }

  /// Code page 437 characters 0x80–0xFF as Unicode code points.
  private static let cp437High: [UInt32] = [
    0xC7, 0xFC, 0xE9, 0xE2, 0xE4, 0xE0, 0xE5, 0xE7, 0xEA, 0xEB, 0xE8, 0xEF, 0xEE, 0xEC, 0xC4, 0xC5,
    0xC9, 0xE6, 0xC6, 0xF4, 0xF6, 0xF2, 0xFB, 0xF9, 0xFF, 0xD6, 0xDC, 0xA2, 0xA3, 0xA5, 0x20A7,
    0x192, 0xE1, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xAA, 0xBA, 0xBF, 0x2310, 0xAC, 0xBD, 0xBC, 0xA1,
    0xAB, 0xBB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563,
    0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500,
    0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
    0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x3B1, 0xDF, 0x393, 0x3C0, 0x3A3, 0x3C3, 0xB5, 0x3C4,
    0x3A6, 0x398, 0x3A9, 0x3B4, 0x221E, 0x3C6, 0x3B5, 0x2229, 0x2261, 0xB1, 0x2265, 0x2264,
    0x2320, 0x2321, 0xF7, 0x2248, 0xB0, 0x2219, 0xB7, 0x221A, 0x207F, 0xB2, 0x25A0, 0xA0,
  ]

  /// The compression method for messages: `bzip2 (method 12)`, or `method 77`.
  static func describeMethod(_ method: UInt16) -> String {
    let names: [UInt16: String] = [
      9: "deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd",
      99: "AES encryption",
    ]
    return names[method].map { "\($0) (method \(method))" } ?? "method \(method)"
  }
}
