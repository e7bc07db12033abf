// Eight bytes of report text tested at once. The report asks of every sample and paragraph
// whether it is plain ASCII and where its words end; asked a byte at a time, that was a fair
// part of writing an incident.

/// Eight consecutive bytes read as one word, the first byte lowest.
struct ByteOctet {
  let bits: UInt64

  /// The eight bytes at `pointer`, which needs no alignment.
  @inline(__always)
  init(_ pointer: UnsafePointer<UInt8>) {
    bits = UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
  }

  static let highBits: UInt64 = 0x8080_8080_8080_8080
  private static let lowBits: UInt64 = 0x0101_0101_0101_0101

  /// Whether a byte is beyond ASCII.
  var hasNonASCII: Bool { bits & ByteOctet.highBits != 0 }

  /// The offset of the first byte equal to `byte`.
  @inline(__always)
  func firstIndex(of byte: UInt8) -> Int? {
    // A byte equal to `byte` is zero in `difference`; subtracting one from each byte sets the
    // high bit of the lowest zero byte and of no byte below it.
    let difference = bits ^ (ByteOctet.lowBits &* UInt64(byte))
    let zeros = (difference &- ByteOctet.lowBits) & ~difference & ByteOctet.highBits
    return zeros == 0 ? nil : zeros.trailingZeroBitCount / 8
  }

  /// Whether a byte may start a control character: one below 0x20, DEL, 0xC2, which leads C1
  /// controls in UTF-8, or 0xE2, which leads the marks that reorder text (and other characters:
  /// the bytes are then looked at one by one).
  @inline(__always)
  var mayHoldControl: Bool {
    // A byte below 0x20 borrows when 0x20 is taken from it, and had its high bit clear.
    let below = (bits &- ByteOctet.lowBits &* 0x20) & ~bits & ByteOctet.highBits
    return below != 0 || firstIndex(of: 0x7F) != nil || firstIndex(of: 0xC2) != nil
      || firstIndex(of: 0xE2) != nil
  }

  /// The first `count` bytes, the others zero.
  @inline(__always)
  func prefix(_ count: Int) -> UInt64 {
    count >= 8 ? bits : bits & ((1 << (UInt64(count) * 8)) - 1)
  }
}
