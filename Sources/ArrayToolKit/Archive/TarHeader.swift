// The fields of one 512-byte tar header block and the number formats they use (octal text, GNU
// base-256), plus the PAX extended-header records that may override them. Kept apart from
// `TarReader` so that the stream logic there reads as a sequence of steps.

/// One decoded tar header block.
struct TarHeader {
  static let blockSize = 512
  /// Sizes above this cannot be real and would overflow offset arithmetic.
  static let sizeLimit: Int64 = 1 << 60

  let block: [UInt8]

  /// Why a field could not be read, with the field's offset inside the block.
  struct FieldError: Error {
    var offsetInBlock: Int
    var message: String
  }

  var typeFlag: UInt8 { block[156] }

  /// Whether the block holds only zeros (the end-of-archive marker).
  var isZero: Bool { block.allSatisfy { $0 == 0 } }

  /// POSIX ustar (`ustar\0`), whose prefix field extends the name.
  var isPosixUstar: Bool { Array(block[257..<263]) == Array("ustar\0".utf8) }

  /// Either ustar flavour (`ustar\0` or GNU's `ustar  \0`).
  var hasUstarMagic: Bool { Array(block[257..<262]) == Array("ustar".utf8) }

  /// The name: `prefix/name` in POSIX ustar, the plain name field otherwise.
  var name: String {
    let base = TarHeader.text(block[0..<100])
    guard isPosixUstar else { return base }
    let prefix = TarHeader.text(block[345..<500])
    return prefix.isEmpty ? base : prefix + "/" + base
  }

  var linkName: String { TarHeader.text(block[157..<257]) }

  /// The data size: octal text, or GNU base-256 when the first byte has its high bit set.
  func size() throws -> Int64 {
    let field = block[124..<136]
    guard let first = field.first, first & 0x80 != 0 else {
      guard let value = TarHeader.octal(field) else {
        throw FieldError(offsetInBlock: 124, message: "the size field is not an octal number")
      }
      return value
    }
    guard first == 0x80 else {
      throw FieldError(offsetInBlock: 124, message: "the size field holds a negative number")
    }
    var value: Int64 = 0
    for byte in field.dropFirst() {
      guard value <= (TarHeader.sizeLimit >> 8) else {
        throw FieldError(offsetInBlock: 124, message: "the size field is too large")
      }
      value = value << 8 | Int64(byte)
    }
    return value
  }

  /// Checks the header checksum; both the standard unsigned sum and the signed sum some old
  /// writers used are accepted.
  /// - Returns: nil when it matches, otherwise a description of the mismatch.
  func checksumProblem() -> String? {
    guard let stored = TarHeader.octal(block[148..<156]) else {
      return "the checksum field is not an octal number"
    }
    var unsigned: Int64 = 0
    var signed: Int64 = 0
    for (index, byte) in block.enumerated() {
      let counted = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
      unsigned += Int64(counted)
      signed += Int64(Int8(bitPattern: counted))
    }
    if stored == unsigned || stored == signed { return nil }
    return "header checksum is \(stored) but the block sums to \(unsigned)"
  }

  /// An octal number padded with spaces or NULs; an empty field is 0.
  static func octal(_ field: ArraySlice<UInt8>) -> Int64? {
    var digits = field.drop { $0 == UInt8(ascii: " ") }
    let end = digits.firstIndex { $0 == 0 || $0 == UInt8(ascii: " ") } ?? digits.endIndex
    guard digits[end...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else { return nil }
    digits = digits[..<end]
    var value: Int64 = 0
    for digit in digits {
      guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit), value <= (Int64.max >> 3)
      else { return nil }
      value = value << 3 | Int64(digit - UInt8(ascii: "0"))
    }
    return value
  }

  /// A NUL-terminated (or full-width) text field as UTF-8.
  static func text(_ field: ArraySlice<UInt8>) -> String {
    let end = field.firstIndex(of: 0) ?? field.endIndex
    return String(decoding: field[..<end], as: UTF8.self)
  }
}

/// The records of a PAX extended header (`x`): `"<length> <key>=<value>\n"` each.
struct PaxRecords {
  var path: String?
  var size: Int64?
  var linkPath: String?

  /// Parses `data`; throws a message naming the record offset when a record is malformed.
  init(_ data: [UInt8]) throws {
    var offset = 0
    while offset < data.count {
      guard let space = data[offset...].firstIndex(of: UInt8(ascii: " ")),
        let length = Int(String(decoding: data[offset..<space], as: UTF8.self)),
        length > space - offset + 1, length <= data.count - offset,
        data[offset + length - 1] == UInt8(ascii: "\n")
      else {
        throw TarHeader.FieldError(
          offsetInBlock: offset, message: "malformed PAX record at byte \(offset) of its data")
      }
      let record = data[(space + 1)..<(offset + length - 1)]
      if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
        let key = String(decoding: record[..<equals], as: UTF8.self)
        let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
        switch key {
        case "path": path = value
        case "linkpath": linkPath = value
        case "size":
          guard let number = Int64(value), number >= 0 else {
            throw TarHeader.FieldError(
              offsetInBlock: offset, message: "PAX size \"\(value)\" is not a number")
          }
          size = number
        default: break
        }
      }
      offset += length
    }
  }
}
