// How the reports write times, durations, counts, worker ranges, lists and shell words, as
// interpolations of `ReportText` so that a sentence names them where they stand:
// `"\(count: burst.primaryCount, "request") to \(endpoint) failed \(between: first, last)"`.
// `ReportFormat` gives the same forms as Strings; this is the one place each form is written.

extension ReportText {
  // MARK: - Times

  /// `2025-10-07 01:22:09.120`, `LogTime.text` written digit by digit.
  mutating func appendInterpolation(_ time: LogTime) {
    write(time, as: .text)
  }

  /// `01:22:09.120`, `LogTime.clockText`.
  mutating func appendInterpolation(clock time: LogTime) {
    write(time, as: .clock)
  }

  /// `2025-10-07`, the first ten characters of `LogTime.text`.
  mutating func appendInterpolation(date time: LogTime) {
    write(time, as: .date)
  }

  /// `2025-10-07T01:22:09`, `LogTime.isoSeconds`.
  mutating func appendInterpolation(isoSeconds time: LogTime) {
    write(time, as: .isoSeconds)
  }

  /// The fields of a time each form writes.
  private enum TimeForm {
    case text, clock, date, isoSeconds
  }

  /// Writes `time` in `form`. A year outside 0…9999 has no fixed width: `LogTime` writes it.
  private mutating func write(_ time: LogTime, as form: TimeForm) {
    let c = time.components
    guard (0...9999).contains(c.year) else {
      switch form {
      case .text: return write(time.text)
      case .clock: return write(time.clockText)
      case .date: return write(String(time.text.prefix(10)))
      case .isoSeconds: return write(time.isoSeconds)
      }
    }
    // The fields go into a buffer on the stack and from there into the text in one piece.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 23) { buffer in
      var length = 0
      func put(_ value: Int, digits: Int, after separator: Unicode.Scalar? = nil) {
        if let separator {
          buffer[length] = UInt8(ascii: separator)
          length += 1
        }
        var rest = value
        for offset in (length..<(length + digits)).reversed() {
          buffer[offset] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
          rest /= 10
        }
        length += digits
      }
      if form != .clock {
        put(c.year, digits: 4)
        put(c.month, digits: 2, after: "-")
        put(c.day, digits: 2, after: "-")
      }
      if form != .date {
        put(c.hour, digits: 2, after: form == .clock ? nil : form == .isoSeconds ? "T" : " ")
        put(c.minute, digits: 2, after: ":")
        put(c.second, digits: 2, after: ":")
      }
      if form == .text || form == .clock { put(c.millisecond, digits: 3, after: ".") }
      write(UnsafeBufferPointer(rebasing: buffer[..<length]))
    }
  }

  /// Whether `first` and `last` fall on one date as their `text` writes it. The calendar fields
  /// are compared instead of the text, which `LogTime.isSameDay` writes out for both times.
  static func isSameDay(_ first: LogTime, _ last: LogTime) -> Bool {
    let (a, b) = (first.components, last.components)
    guard (0...9999).contains(a.year), (0...9999).contains(b.year) else {
      return first.isSameDay(as: last)
    }
    return a.year == b.year && a.month == b.month && a.day == b.day
  }

  /// `2025-10-07 01:22:09.120 – 01:22:17.483`, the date written once when it does not change.
  mutating func appendInterpolation(window first: LogTime?, _ last: LogTime?) {
    guard let first else { return write("at an unknown time") }
    guard let last, last != first else { return appendInterpolation(first) }
    if Self.isSameDay(first, last) {
      self += "\(first) – \(clock: last)"
    } else {
      self += "\(first) – \(last)"
    }
  }

  /// `on 2025-10-07 between 01:22:09.120 and 01:22:17.483`, with both dates when they differ,
  /// or `at 2025-10-07 02:24:11.377` for one instant.
  mutating func appendInterpolation(between first: LogTime?, _ last: LogTime?) {
    guard let first else { return write("at an unknown time") }
    guard let last, last != first else { return self += "at \(first)" }
    if Self.isSameDay(first, last) {
      self += "on \(date: first) between \(clock: first) and \(clock: last)"
    } else {
      self += "between \(first) and \(last)"
    }
  }

  /// `On 2025-10-07 between 01:22:09.120 and 01:22:17.483 (8.4 s)` or `At 2025-10-07
  /// 02:24:11.377`, to open a sentence.
  mutating func appendInterpolation(when first: LogTime?, _ last: LogTime?) {
    let start = count
    appendInterpolation(between: first, last)
    if let first, let last, last != first {
      self += " (\(duration: Double(last.milliseconds - first.milliseconds) / 1000))"
    }
    // `between` opens with an ASCII letter, made a capital as a byte.
    uppercaseASCII(start..<(start + 1))
  }

  /// `0.4 s`, `8.4 s`, `2 min 5 s`, `3 h 12 min`.
  mutating func appendInterpolation(duration seconds: Double) {
    if seconds < 60 {
      // Tenths as an integer: `12.3` is also what Double's description gives for 123 / 10, as
      // no other decimal of one fractional digit is nearer that Double.
      let tenths = Int((seconds * 10).rounded())
      if tenths % 10 == 0 {
        write(tenths / 10)
      } else {
        if tenths < 0 { write(byte: UInt8(ascii: "-")) }
        self += "\(Int(tenths.magnitude / 10)).\(Int(tenths.magnitude % 10))"
      }
      return write(" s")
    }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return self += "\(whole / 60) min \(whole % 60) s" }
    self += "\(whole / 3600) h \(whole % 3600 / 60) min"
  }

  // MARK: - Counts and workers

  /// `12 errors`, `1 error`.
  mutating func appendInterpolation(count value: Int, _ noun: String) {
    self += "\(value) \(noun)"
    if value != 1 { write(byte: UInt8(ascii: "s")) }
  }

  /// `16–42`, or `9359` for a single worker.
  mutating func appendInterpolation(workerRange range: ClosedRange<Int>) {
    write(range.lowerBound)
    if range.count > 1 { self += "–\(range.upperBound)" }
  }

  /// `16–42 (26 workers)`, `9359`, or `none named`.
  mutating func appendInterpolation(workersOf burst: LogBurst) {
    guard let range = burst.workerRange else { return write("none named") }
    appendInterpolation(workerRange: range)
    if range.count > 1 { self += " (\(burst.workerCount) workers)" }
  }

  // MARK: - Names

  /// `a, b, c and 4 more`.
  mutating func appendInterpolation(list names: [String], more: Int = 0, limit: Int = 5) {
    let shown = names.prefix(limit)
    write(shown, separator: ", ") { $0.write($1) }
    let hidden = names.count - shown.count + more
    if hidden > 0 { self += " and \(hidden) more" }
  }

  /// `word` quoted for a POSIX shell when it needs to be.
  mutating func appendInterpolation(shellWord word: String) {
    guard ReportFormat.isPlainShellWord(word) else {
      write(byte: UInt8(ascii: "'"))
      // Written part by part, so that a control character in a name is shown, not sent.
      write(word.split(separator: "'", omittingEmptySubsequences: false), separator: "'\\''") {
        $0.write(String($1))
      }
      return write(byte: UInt8(ascii: "'"))
    }
    write(word)
  }

  /// `text` cut to `limit` characters with `…`.
  mutating func appendInterpolation(cut text: String, _ limit: Int) {
    var text = text
    let ascii = text.withUTF8 { utf8 in
      guard ReportFormat.isPlainASCII(utf8) else { return false }
      write(
        shown: UnsafeBufferPointer(rebasing: utf8.prefix(utf8.count > limit ? limit - 1 : limit)))
      if utf8.count > limit { write("…") }
      return true
    }
    guard !ascii else { return }
    guard text.count > limit else { return write(text) }
    write(String(text.prefix(limit - 1)))
    write("…")
  }

  /// `text` padded with spaces, or cut, to exactly `width` characters.
  mutating func appendInterpolation(_ text: String, padded width: Int) {
    let length = ReportFormat.characterCount(text)
    if length > width { return write(String(text.prefix(width))) }
    write(text)
    writeSpaces(width - length)
  }
}
