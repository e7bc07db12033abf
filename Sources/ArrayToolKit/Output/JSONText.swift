// Byte-level writing of JSON strings and integers, and the decimal facts of the divisors that
// `ByteBuffer` writes sample values with, where Foundation formatting would cost an allocation per
// sample.

/// Appends JSON text to byte buffers.
public enum JSONText {
  /// Appends `text` as a JSON string literal with the escapes JSON requires.
  public static func appendString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
      case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        output += Array("\\u00".utf8)
        output += [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }

  /// Appends the decimal digits of `value`.
  @inline(__always)
  public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
    var magnitude = value.magnitude
    if value < 0 { output.append(UInt8(ascii: "-")) }
    if magnitude < 10 {
      output.append(UInt8(truncatingIfNeeded: magnitude) &+ 0x30)
      return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var index = 20
      while magnitude > 0 {
        index &-= 1
        digits[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
        magnitude /= 10
      }
      output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index..<20]))
    }
  }

  /// For a divisor 2^a × 5^b: the number of decimal digits of its fractions and the multiplier
  /// that turns a remainder into those digits; nil for other divisors.
  static func fractionDigits(_ divisor: Int64) -> (Int, UInt64)? {
    var twos = 0
    var fives = 0
    var rest = divisor
    while rest % 2 == 0 { rest /= 2; twos += 1 }
    while rest % 5 == 0 { rest /= 5; fives += 1 }
    guard rest == 1 else { return nil }
    let digits = max(twos, fives)
    guard digits <= 18 else { return nil }
    var power: UInt64 = 1
    for _ in 0..<digits { power *= 10 }
    return (digits, power / UInt64(divisor))
  }

  /// The shortest text that reads back as `value`, without a trailing `.0`.
  static func shortestDouble(_ value: Double) -> String {
    let text = value.description
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }
}
