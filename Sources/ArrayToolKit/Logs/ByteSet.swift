// A set of bytes tested in one step, for the scanners that run on every log line: which bytes
// separate the fields of a prefix, end a word, or make up a path.

/// A set of ASCII bytes as a bit mask, tested in one step; bytes from 128 up are members when
/// `nonASCII` is set (they belong to words in UTF-8 text).
struct ByteSet {
  private var low: UInt64 = 0
  private var high: UInt64 = 0
  private var nonASCII = false

  init(low: UInt64, high: UInt64) {
    self.low = low
    self.high = high
  }

  init(_ members: String, nonASCII: Bool = false) {
    self.nonASCII = nonASCII
    for byte in members.utf8 where byte < 128 {
      if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
    }
  }

  /// Letters, digits and `extra`.
  static func alphanumeric(and extra: String, nonASCII: Bool = false) -> ByteSet {
    ByteSet(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + extra, nonASCII: nonASCII)
  }

  @inline(__always)
  func contains(_ byte: UInt8) -> Bool {
    // One shift of the half the byte falls in, chosen without a branch.
    guard byte < 128 else { return nonASCII }
    let word = byte < 64 ? low : high
    return (word >> UInt64(byte & 63)) & 1 != 0
  }
}
