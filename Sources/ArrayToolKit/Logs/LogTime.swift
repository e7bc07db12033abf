// Log times as the wall clock wrote them. Logs from one host mix local and UTC clocks freely, so
// no time zone is ever applied: `01:22:09` in a log is `01:22:09` in the report, and an offset
// such as `+02:00` is read past and ignored. Times are kept as milliseconds on that clock so that
// comparing and subtracting them costs nothing on the hot path.

/// A wall-clock instant read from a log, in milliseconds since 1970-01-01 00:00:00 of the same
/// clock.
public struct LogTime: Comparable, Hashable, Sendable {
  public var milliseconds: Int64

  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// The instant of a calendar date and clock time; `nil` when a field is out of range.
  public init?(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
    millisecond: Int = 0
  ) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...LogTime.daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...60).contains(second), (0...999).contains(millisecond)
    else { return nil }
    let days = LogTime.dayNumber(year: year, month: month, day: day)
    // A leap second is the last millisecond of its minute, as `TimestampReader` reads it.
    let seconds = Int64(hour * 3600 + minute * 60 + min(second, 59))
    milliseconds =
      (days * 86_400 + seconds) * 1000 + (second == 60 ? 999 : Int64(millisecond))
  }

  public static func < (lhs: LogTime, rhs: LogTime) -> Bool {
    lhs.milliseconds < rhs.milliseconds
  }

  /// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar.
  static func dayNumber(year: Int, month: Int, day: Int) -> Int64 {
    // Counting years from March puts the leap day at the end of the year, which makes the day
    // of the year a simple function of the month.
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let monthFromMarch = (month + 9) % 12
    let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return Int64(era * 146_097 + dayOfEra - 719_468)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2:
      let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
      return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// The calendar fields of this instant.
  public var components:
    (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int)
  {
    let (days, dayMilliseconds) = milliseconds.floorDivided(by: 86_400_000)
    let shifted = Int(days) + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthFromMarch = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
    let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    let clock = Int(dayMilliseconds)
    return (
      year, month, day, clock / 3_600_000, clock / 60_000 % 60, clock / 1000 % 60, clock % 1000
    )
  }

  /// `YYYY-MM-DD HH:MM:SS.mmm`, the form every output of `analyze-logs` uses.
  public var text: String {
    let c = components
    guard (0...9999).contains(c.year) else { return paddedText(c) }
    // Written digit by digit: a report prints thousands of times, and interpolating seven
    // padded numbers made each cost as much as reading a hundred log lines.
    return String(unsafeUninitializedCapacity: 23) { bytes in
      func put(_ value: Int, _ width: Int, at offset: Int) {
        var rest = value
        for index in stride(from: offset + width - 1, through: offset, by: -1) {
          bytes[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
          rest /= 10
        }
      }
      put(c.year, 4, at: 0)
      put(c.month, 2, at: 5)
      put(c.day, 2, at: 8)
      put(c.hour, 2, at: 11)
      put(c.minute, 2, at: 14)
      put(c.second, 2, at: 17)
      put(c.millisecond, 3, at: 20)
      bytes[4] = UInt8(ascii: "-")
      bytes[7] = UInt8(ascii: "-")
      bytes[10] = UInt8(ascii: " ")
      bytes[13] = UInt8(ascii: ":")
      bytes[16] = UInt8(ascii: ":")
      bytes[19] = UInt8(ascii: ".")
      return 23
    }
  }

  /// `text` for years outside 0…9999, whose width is not fixed.
  private func paddedText(
    _ c: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int)
  ) -> String {
    "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) "
      + "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.millisecond, 3))"
  }

  /// `YYYY-MM-DDTHH:MM:SS`, as `docker compose logs --since` accepts it.
  public var isoSeconds: String {
    let c = components
    if (0...9999).contains(c.year) {
      // The first 19 bytes of `text`, with the date and clock joined by `T`.
      var bytes = Array(text.utf8.prefix(19))
      bytes[10] = UInt8(ascii: "T")
      return String(decoding: bytes, as: UTF8.self)
    }
    return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T"
      + "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
  }

  /// Whether `other` falls on the same calendar day, as the dates of their `text` say.
  func isSameDay(as other: LogTime) -> Bool {
    text.utf8.prefix(10).elementsEqual(other.text.utf8.prefix(10))
  }

  /// `HH:MM:SS.mmm`, for a time on a day already named.
  public var clockText: String {
    String(text.dropFirst(11))
  }

  /// The instant `seconds` later (earlier when negative).
  public func adding(seconds: Double) -> LogTime {
    LogTime(milliseconds: milliseconds + Int64((seconds * 1000).rounded()))
  }

  /// Whether a bound ends in a time zone (`Z`, `+02:00`, `-0500`) after its clock.
  public static func boundHasZone(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count > 16 else { return false }
    return bytes[16...].contains { $0 == 0x2B || $0 == 0x2D || $0 | 0x20 == 0x7A }
  }

  /// Reads a time the way a person types it for `--since` and `--until`: `2025-10-07`,
  /// `2025-10-07 01:22`, `2025-10-07T01:22:09` or `2025-10-07 01:22:09.120`.
  /// - Parameter throughItsEnd: gives the last millisecond of what the text names rather than
  ///   the first: for `--until`, where `2025-10-07` means all of that day and `01:22` all of
  ///   that minute, so that `--since X --until X` keeps X.
  public static func parseBound(_ text: String, throughItsEnd: Bool) -> LogTime? {
    guard let start = parseBound(text) else { return nil }
    guard throughItsEnd else { return start }
    return LogTime(milliseconds: start.milliseconds + boundWidth(text) - 1)
  }

  /// How many milliseconds a bound names: a day, a minute, a second, or a part of one by the
  /// digits of its fraction.
  private static func boundWidth(_ text: String) -> Int64 {
    let bytes = Array(text.utf8)
    switch bytes.count {
    case 10: return 86_400_000
    case 16: return 60_000
    case 19: return 1_000
    default:
      let digits = bytes.count - 20
      return digits >= 3 ? 1 : digits == 2 ? 10 : 100
    }
  }

  /// The first millisecond of a bound as `parseBound(_:throughItsEnd:)` reads it.
  public static func parseBound(_ text: String) -> LogTime? {
    let bytes = Array(text.utf8)
    if bytes.count == 10 {
      return bytes.withUnsafeBufferPointer { buffer -> LogTime? in
        guard let year = buffer.number(at: 0, digits: 4), buffer[4] == UInt8(ascii: "-"),
          let month = buffer.number(at: 5, digits: 2), buffer[7] == UInt8(ascii: "-"),
          let day = buffer.number(at: 8, digits: 2)
        else { return nil }
        return LogTime(year: year, month: month, day: day)
      }
    }
    // A bound without seconds gets `:00` so that the one timestamp reader serves both.
    let padded = bytes.count == 16 ? bytes + Array(":00".utf8) : bytes
    return padded.withUnsafeBufferPointer { buffer -> LogTime? in
      guard let (time, end) = TimestampReader.read(buffer, at: 0), end == buffer.count else {
        return nil
      }
      return time
    }
  }
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
    let quotient = self >= 0 ? self / divisor : (self - divisor + 1) / divisor
    return (quotient, self - quotient * divisor)
  }
}

private func pad(_ value: Int, _ width: Int) -> String {
  let digits = String(value)
  return digits.count >= width
    ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// The decimal number written with exactly `digits` digits at `index`, or `nil`.
  @inline(__always)
  func number(at index: Int, digits: Int) -> Int? {
    guard index >= 0, index + digits <= count else { return nil }
    var value = 0
    for offset in index..<(index + digits) {
      let digit = Int(self[offset]) &- 48
      guard digit >= 0 && digit <= 9 else { return nil }
      value = value * 10 + digit
    }
    return value
  }
}
