// Writes sample values and timestamps as decimal text straight into reserved memory. This runs
// once per sample (hundreds of millions of times in a large export), so it works on a raw
// pointer that the caller keeps in a register, counts digits by comparison instead of division,
// and reads digit pairs from constant memory rather than from a lazily made table.

/// A value scale worked out once per series: what `ValueScale` asks for, with the decimal
/// expansion of a division prepared so that no sample repeats that work.
public struct DecimalScale: Sendable {
  enum Kind: Sendable {
    case none
    case multiply
    /// A divisor 2^a × 5^b: whole part, then `digits` fraction digits exactly.
    case exactDivide
    /// Any other divisor: the shortest double.
    case otherDivide
  }

  let kind: Kind
  let factor: Int64
  let digits: Int
  let multiplier: UInt64

  public init(_ scale: ValueScale) {
    switch scale {
    case .none:
      (kind, factor, digits, multiplier) = (.none, 1, 0, 0)
    case .multiply(let factor):
      (kind, self.factor, digits, multiplier) = (.multiply, factor, 0, 0)
    case .divide(let divisor):
      if let (digits, multiplier) = JSONText.fractionDigits(divisor) {
        (kind, factor, self.digits, self.multiplier) = (.exactDivide, divisor, digits, multiplier)
      } else {
        (kind, factor, digits, multiplier) = (.otherDivide, divisor, 0, 0)
      }
    }
  }
}

/// Decimal text written at a pointer; each function returns the pointer past what it wrote.
public enum DecimalWriter {
  /// The most bytes `write(_:scale:at:)` writes.
  public static let maxValueBytes = 32

  /// "00" "01" … "99": a string literal lives in constant memory and needs no initialisation.
  @inline(__always)
  static var pairs: UnsafePointer<UInt8> {
    let table: StaticString = """
      00010203040506070809101112131415161718192021222324252627282930313233343536373839\
      40414243444546474849505152535455565758596061626364656667686970717273747576777879\
      8081828384858687888990919293949596979899
      """
    return table.utf8Start
  }

  /// The number of decimal digits of `value`.
  @inline(__always)
  static func digitCount(_ value: UInt64) -> Int {
    if value < 10 { return 1 }
    if value < 100 { return 2 }
    if value < 1000 { return 3 }
    if value < 10_000 { return 4 }
    if value < 100_000 { return 5 }
    if value < 1_000_000 { return 6 }
    var count = 7
    var rest = value / 10_000_000
    while rest > 0 {
      count &+= 1
      rest /= 10
    }
    return count
  }

  /// Writes the digits of `value`.
  @inline(__always)
  static func write(unsigned value: UInt64, at start: UnsafeMutablePointer<UInt8>)
    -> UnsafeMutablePointer<UInt8>
  {
    if value < 10 {
      start.pointee = UInt8(truncatingIfNeeded: value) &+ 0x30
      return start + 1
    }
    let end = start + digitCount(value)
    var position = end
    var rest = value
    let pairs = Self.pairs
    while rest >= 100 {
      let pair = Int(truncatingIfNeeded: rest % 100) &* 2
      rest /= 100
      position -= 2
      position[0] = pairs[pair]
      position[1] = pairs[pair &+ 1]
    }
    if rest >= 10 {
      let pair = Int(truncatingIfNeeded: rest) &* 2
      position[-2] = pairs[pair]
      position[-1] = pairs[pair &+ 1]
    } else {
      position[-1] = UInt8(truncatingIfNeeded: rest) &+ 0x30
    }
    return end
  }

  /// Writes `value` with its sign; at most 20 bytes.
  @inline(__always)
  public static func write(_ value: Int64, at start: UnsafeMutablePointer<UInt8>)
    -> UnsafeMutablePointer<UInt8>
  {
    var position = start
    if value < 0 {
      position.pointee = UInt8(ascii: "-")
      position += 1
    }
    return write(unsigned: value.magnitude, at: position)
  }

  /// Writes the sample value of `raw` under `scale`; at most `maxValueBytes` bytes.
  @inline(__always)
  public static func write(_ raw: Int32, scale: DecimalScale, at start: UnsafeMutablePointer<UInt8>)
    -> UnsafeMutablePointer<UInt8>
  {
    switch scale.kind {
    case .none: return write(Int64(raw), at: start)
    case .multiply: return write(Int64(raw) &* scale.factor, at: start)
    case .exactDivide: return writeQuotient(Int64(raw), scale: scale, at: start)
    case .otherDivide:
      let text = JSONText.shortestDouble(Double(raw) / Double(scale.factor))
      var position = start
      for byte in text.utf8.prefix(maxValueBytes) {
        position.pointee = byte
        position += 1
      }
      return position
    }
  }

  /// `raw / divisor` as an exact decimal: the whole part, then the fraction without trailing
  /// zeros. The remainder times the multiplier is the fraction as a `digits`-digit integer.
  private static func writeQuotient(
    _ raw: Int64, scale: DecimalScale, at start: UnsafeMutablePointer<UInt8>
  ) -> UnsafeMutablePointer<UInt8> {
    let divisor = UInt64(scale.factor)
    let magnitude = raw.magnitude
    var position = start
    if raw < 0 {
      position.pointee = UInt8(ascii: "-")
      position += 1
    }
    position = write(unsigned: magnitude / divisor, at: position)
    let remainder = magnitude % divisor
    guard remainder != 0 else { return position }
    var fraction = remainder * scale.multiplier
    var length = scale.digits
    while fraction % 10 == 0 {
      fraction /= 10
      length -= 1
    }
    position.pointee = UInt8(ascii: ".")
    let end = position + 1 + length
    var digit = end
    while digit > position + 1 {
      digit -= 1
      digit.pointee = UInt8(truncatingIfNeeded: fraction % 10) &+ 0x30
      fraction /= 10
    }
    return end
  }
}
