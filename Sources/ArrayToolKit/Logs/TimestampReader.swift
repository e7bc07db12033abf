// Reads the timestamps logs start with, straight from UTF-8 bytes: Python's `2025-10-07
// 01:22:09,120`, RFC 3339 as `docker logs --timestamps` writes it
// (`2025-10-07T01:22:09.120456789Z`) and ISO times with an offset. It runs once per log line,
// so it remembers the last date it saw: consecutive lines almost always share it, and then only
// the clock needs reading.

/// Parses leading timestamps, remembering the last date to skip the calendar arithmetic and
/// the last minute to skip the clock's hours and minutes.
struct TimestampReader {
  private var lastDate: (UInt64, UInt16) = (0, 0)
  private var lastDay: Int64 = 0
  /// The sixteen bytes `YYYY-MM-DD HH:MM` of the last time read, and that minute's first
  /// millisecond; most lines of a log repeat the minute of the line before.
  private var lastMinute: (UInt64, UInt64) = (0, 0)
  private var lastMinuteStart: Int64 = 0
  private var hasMinute = false

  /// Reads a timestamp at `index` of `line`.
  /// - Returns: the time and the index just past it (past a fraction and a zone offset too).
  @inline(__always)
  mutating func read(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> (LogTime, Int)? {
    guard index + 19 <= line.count, line[index + 4] == 0x2D, line[index + 7] == 0x2D else {
      return nil
    }
    let raw = UnsafeRawPointer(line.baseAddress! + index)
    let head = (
      raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    )
    if hasMinute && head == lastMinute {
      return Self.readSeconds(line, at: index + 16, minuteStart: lastMinuteStart)
    }
    // The ten date bytes compared as two words: equal to the previous line's date in the
    // common case, which saves parsing and calendar arithmetic.
    let date = (
      raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
    )
    let day: Int64
    if date == lastDate {
      day = lastDay
    } else {
      guard let year = line.number(at: index, digits: 4), year > 0,
        let month = line.number(at: index + 5, digits: 2),
        let dayOfMonth = line.number(at: index + 8, digits: 2), (1...12).contains(month),
        (1...LogTime.daysIn(month: month, year: year)).contains(dayOfMonth)
      else { return nil }
      day = LogTime.dayNumber(year: year, month: month, day: dayOfMonth)
      lastDate = date
      lastDay = day
    }
    let clock = index + 10
    let separator = line[clock]
    guard separator == 0x20 || separator == 0x54 || separator == 0x74, line[clock + 3] == 0x3A
    else { return nil }
    let hour = Self.twoDigits(line, clock + 1)
    let minute = Self.twoDigits(line, clock + 4)
    guard hour < 24, minute < 60 else { return nil }
    let minuteStart = (day * 86_400 + Int64(hour * 3600 + minute * 60)) * 1000
    // The minute is remembered whatever follows: its seconds are read again on every line.
    lastMinute = head
    lastMinuteStart = minuteStart
    hasMinute = true
    return Self.readSeconds(line, at: clock + 6, minuteStart: minuteStart)
  }

  /// The time of a common-log-format access line (nginx, gunicorn, apache):
  /// `[07/Oct/2025:01:22:09 +0000]`, looked for in the line's first brackets.
  static func readCommonLog(_ line: UnsafeBufferPointer<UInt8>) -> LogTime? {
    guard let open = line.prefix(128).firstIndex(of: 0x5B), open + 21 <= line.count else {
      return nil
    }
    let index = open + 1
    guard let day = line.number(at: index, digits: 2), line[index + 2] == 0x2F,
      line[index + 6] == 0x2F, let year = line.number(at: index + 7, digits: 4),
      line[index + 11] == 0x3A, let hour = line.number(at: index + 12, digits: 2),
      line[index + 14] == 0x3A, let minute = line.number(at: index + 15, digits: 2),
      line[index + 17] == 0x3A, let second = line.number(at: index + 18, digits: 2)
    else { return nil }
    let name = String(decoding: line[(index + 3)..<(index + 6)], as: UTF8.self).lowercased()
    let months = [
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    guard let month = months.firstIndex(of: name) else { return nil }
    return LogTime(
      year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
  }

  /// The same without the remembered date, for one-off parsing.
  static func read(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> (LogTime, Int)? {
    var reader = TimestampReader()
    return reader.read(line, at: index)
  }

  /// `:SS`, a fraction and a zone at `index`, in the minute that starts at `minuteStart`.
  @inline(__always)
  private static func readSeconds(
    _ line: UnsafeBufferPointer<UInt8>, at index: Int, minuteStart: Int64
  ) -> (LogTime, Int)? {
    guard line[index] == 0x3A else { return nil }
    let second = twoDigits(line, index + 1)
    guard second <= 60 else { return nil }
    var position = index + 3
    var millisecond = 0
    if position < line.count, line[position] == 0x2C || line[position] == 0x2E {
      // Only milliseconds matter; microseconds and nanoseconds are read past.
      position += 1
      let fractionStart = position
      if position + 3 <= line.count, line[position] &- 48 <= 9, line[position + 1] &- 48 <= 9,
        line[position + 2] &- 48 <= 9
      {
        // The common case, three digits, read without a loop.
        millisecond =
          Int(line[position] &- 48) * 100 + Int(line[position + 1] &- 48) * 10
          + Int(line[position + 2] &- 48)
        position += 3
        while position < line.count, line[position] &- 48 <= 9 { position += 1 }
      } else {
        var scale = 100
        while position < line.count, line[position] &- 48 <= 9 {
          millisecond += Int(line[position] &- 48) * scale
          scale /= 10
          position += 1
        }
      }
      if position == fractionStart { position -= 1 }
    }
    position = skipZone(line, at: position)
    // A leap second (`23:59:60.500`) is the end of its own minute, not the start of the next:
    // read as the next minute's `00.500`, it came after the `00:00:00.000` written a moment
    // later, and the log read as out of time order.
    let milliseconds =
      minuteStart + (second == 60 ? 59_999 : Int64(second * 1000 + millisecond))
    return (LogTime(milliseconds: milliseconds), position)
  }

  /// Two decimal digits at `index`, or a value of 100 or more when either is not a digit.
  @inline(__always)
  private static func twoDigits(_ line: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
    let tens = line[index] &- 48
    let ones = line[index + 1] &- 48
    return tens <= 9 && ones <= 9 ? Int(tens) * 10 + Int(ones) : 100
  }

  /// Skips `Z`, `+02:00`, `-0500` after a time; wall-clock times keep no zone.
  @inline(__always)
  static func skipZone(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    guard index < line.count else { return index }
    let byte = line[index]
    if byte == 0x5A || byte == 0x7A { return index + 1 }
    guard byte == 0x2B || byte == 0x2D, line.number(at: index + 1, digits: 2) != nil else {
      return index
    }
    if line.number(at: index + 3, digits: 2) != nil { return index + 5 }
    if index + 3 < line.count, line[index + 3] == 0x3A, line.number(at: index + 4, digits: 2) != nil
    {
      return index + 6
    }
    return index + 3
  }
}
