// How the report writes times, durations, worker ranges and lists, in one place so that the
// text and Markdown forms read the same.

import Foundation

/// Formatting shared by the text and Markdown reports.
enum ReportFormat {
  /// `2025-10-07 01:22:09.120 – 01:22:17.483`, the date written once when it does not change.
  static func window(_ first: LogTime?, _ last: LogTime?) -> String {
    guard let first else { return "at an unknown time" }
    guard let last, last != first else { return first.text }
    return first.text + " – " + (first.isSameDay(as: last) ? last.clockText : last.text)
  }

  /// `On 2025-10-07 between 01:22:09.120 and 01:22:17.483 (8.4 s)` or `At 2025-10-07
  /// 02:24:11.377`, to open a sentence.
  static func when(_ first: LogTime?, _ last: LogTime?) -> String {
    var text = between(first, last)
    if let first, let last, last != first {
      text += " (\(duration(Double(last.milliseconds - first.milliseconds) / 1000)))"
    }
    if let head = text.utf8.first, head &- 0x61 <= 25 {
      // An ASCII letter, upper-cased as bytes rather than through Unicode case mapping.
      var bytes = Array(text.utf8)
      bytes[0] = head - 0x20
      return String(decoding: bytes, as: UTF8.self)
    }
    return text.prefix(1).uppercased() + text.dropFirst()
  }

  /// `on 2025-10-07 between 01:22:09.120 and 01:22:17.483`, with both dates when they differ,
  /// or `at 2025-10-07 02:24:11.377` for one instant.
  static func between(_ first: LogTime?, _ last: LogTime?) -> String {
    guard let first else { return "at an unknown time" }
    guard let last, last != first else { return "at \(first.text)" }
    if first.isSameDay(as: last) {
      return "on \(first.text.prefix(10)) between \(first.clockText) and \(last.clockText)"
    }
    return "between \(first.text) and \(last.text)"
  }

  /// `16–42`, or `9359` for a single worker.
  static func workerRange(_ range: ClosedRange<Int>) -> String {
    range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
  }

  /// `0.4 s`, `8.4 s`, `2 min 5 s`, `3 h 12 min`.
  static func duration(_ seconds: Double) -> String {
    if seconds < 60 {
      let tenths = (seconds * 10).rounded() / 10
      return tenths == tenths.rounded() ? "\(Int(tenths)) s" : "\(tenths) s"
    }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
    return "\(whole / 3600) h \(whole % 3600 / 60) min"
  }

  /// `16–42 (26 workers)`, `9359`, or `none`.
  static func workers(_ burst: LogBurst) -> String {
    guard let range = burst.workerRange else { return "none named" }
    if range.count == 1 { return String(range.lowerBound) }
    return "\(range.lowerBound)–\(range.upperBound) (\(burst.workerCount) workers)"
  }

  /// `a, b, c and 4 more`.
  static func list(_ names: [String], more: Int = 0, limit: Int = 5) -> String {
    let shown = names.prefix(limit)
    let hidden = names.count - shown.count + more
    return shown.joined(separator: ", ") + (hidden > 0 ? " and \(hidden) more" : "")
  }

  /// `word` quoted for a POSIX shell when it needs to be.
  static func shellWord(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy { scalar in
      // ASCII is decided by a mask (its alphabetic scalars are the letters); the Unicode
      // properties are looked up only beyond it.
      if scalar.value < 0x80 { return shellPlainBytes.contains(UInt8(scalar.value)) }
      return scalar.properties.isAlphabetic
    }
    if plain && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// The ASCII bytes a shell word may hold unquoted: letters, digits and `-_./:=@%+,`.
  private static let shellPlainBytes = ByteSet.alphanumeric(and: "-_./:=@%+,")

  /// `text` broken into lines of at most `width` characters; the first starts with `indent`,
  /// the others with `hanging` (the same indent by default).
  static func wrap(_ text: String, indent: String, hanging: String? = nil, width: Int = 96)
    -> String
  {
    // Built as bytes with lengths kept as counts: String.count walks the whole string, and
    // asking it per word made a report of thousands of incidents take longer than reading the
    // log. Words are runs between space bytes, found in place (splitting into an array of
    // slices and appending them through generic slices cost more than the rest of the report);
    // an ASCII word's length is its byte count, only other words are counted by characters.
    let next = hanging ?? indent
    let nextLength = characterCount(next)
    var output: [UInt8] = []
    var length = characterCount(indent)
    var lineHasWord = false
    var anyWord = false
    var source = text
    source.withUTF8 { bytes in
      output.reserveCapacity(
        indent.utf8.count + bytes.count + next.utf8.count * (bytes.count / 32 + 1))
      output.append(contentsOf: indent.utf8)
      let count = bytes.count
      var index = 0
      while index < count {
        if bytes[index] == 0x20 {
          index += 1
          continue
        }
        let wordStart = index
        var ascii = true
        while index < count, bytes[index] != 0x20 {
          if bytes[index] >= 0x80 { ascii = false }
          index += 1
        }
        let word = UnsafeBufferPointer(rebasing: bytes[wordStart..<index])
        let wordLength = ascii ? word.count : String(decoding: word, as: UTF8.self).count
        if lineHasWord && length + 1 + wordLength > width {
          output.append(0x0A)
          output.append(contentsOf: next.utf8)
          length = nextLength
          lineHasWord = false
        }
        if lineHasWord {
          output.append(UInt8(ascii: " "))
          length += 1
        }
        output.append(contentsOf: word)
        length += wordLength
        lineHasWord = true
        anyWord = true
      }
    }
    return anyWord ? String(decoding: output, as: UTF8.self) : ""
  }

  /// `text` padded with spaces, or cut, to exactly `width` characters (what Foundation's
  /// `padding(toLength:withPad:startingAt:)` does, without going through NSString).
  static func pad(_ text: String, _ width: Int) -> String {
    let length = characterCount(text)
    if length >= width { return length == width ? text : String(text.prefix(width)) }
    let bytes = text.utf8.count
    return String(unsafeUninitializedCapacity: bytes + width - length) { buffer in
      _ = buffer.initialize(from: text.utf8)
      for index in bytes..<(bytes + width - length) { buffer[index] = 0x20 }
      return bytes + width - length
    }
  }

  /// `text` without the spaces and tabs (any Unicode space separator) at either end, as
  /// Foundation's `trimmingCharacters(in: .whitespaces)` gives it. Foundation goes through
  /// NSString and UTF-16, which made trimming the summary rows a quarter of a long report's cost.
  static func trimmed(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
    guard let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
    if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex {
      return text
    }
    return String(scalars[first...last])
  }

  /// A tab or a Unicode space separator (category Zs), the members of `CharacterSet.whitespaces`.
  @inline(__always)
  private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value < 0x80 { return scalar.value == 0x20 || scalar.value == 0x09 }
    return scalar.properties.generalCategory == .spaceSeparator
  }

  /// `text` cut to `limit` characters with `…`.
  static func cut(_ text: String, _ limit: Int) -> String {
    guard characterCount(text) > limit else { return text }
    if isPlainASCII(text) {
      return String(decoding: text.utf8.prefix(limit - 1), as: UTF8.self) + "…"
    }
    return String(text.prefix(limit - 1)) + "…"
  }

  /// `text.count`, without walking grapheme clusters when every byte is a character of its
  /// own: samples run to 400 characters, and the report measures thousands of them.
  static func characterCount(_ text: String) -> Int {
    isPlainASCII(text) ? text.utf8.count : text.count
  }

  /// Whether `text` is ASCII without a carriage return (which joins a following line feed
  /// into one character).
  private static func isPlainASCII(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      for byte in bytes where byte >= 0x80 || byte == 0x0D { return false }
      return true
    }
  }

  /// `12 errors`, `1 error`.
  static func count(_ value: Int, _ noun: String) -> String {
    "\(value) \(noun)\(value == 1 ? "" : "s")"
  }
}
