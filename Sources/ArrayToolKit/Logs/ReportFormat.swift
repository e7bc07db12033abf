// How the reports write times, durations, worker ranges and lists, as Strings, for the parts of
// the reports that are built from Strings and for the tests. Each form is written in one place,
// as an interpolation of `ReportText` (see `ReportText+Formats`), so that the text and Markdown
// forms read the same.

import Foundation

/// Formatting shared by the text and Markdown reports.
enum ReportFormat {
  /// `2025-10-07 01:22:09.120 – 01:22:17.483`, the date written once when it does not change.
  static func window(_ first: LogTime?, _ last: LogTime?) -> String {
    string("\(window: first, last)")
  }

  /// `On 2025-10-07 between 01:22:09.120 and 01:22:17.483 (8.4 s)` or `At 2025-10-07
  /// 02:24:11.377`, to open a sentence.
  static func when(_ first: LogTime?, _ last: LogTime?) -> String {
    string("\(when: first, last)")
  }

  /// `on 2025-10-07 between 01:22:09.120 and 01:22:17.483`, with both dates when they differ,
  /// or `at 2025-10-07 02:24:11.377` for one instant.
  static func between(_ first: LogTime?, _ last: LogTime?) -> String {
    string("\(between: first, last)")
  }

  /// `16–42`, or `9359` for a single worker.
  static func workerRange(_ range: ClosedRange<Int>) -> String {
    string("\(workerRange: range)")
  }

  /// `0.4 s`, `8.4 s`, `2 min 5 s`, `3 h 12 min`.
  static func duration(_ seconds: Double) -> String {
    string("\(duration: seconds)")
  }

  /// `16–42 (26 workers)`, `9359`, or `none named`.
  static func workers(_ burst: LogBurst) -> String {
    string("\(workersOf: burst)")
  }

  /// `a, b, c and 4 more`.
  static func list(_ names: [String], more: Int = 0, limit: Int = 5) -> String {
    string("\(list: names, more: more, limit: limit)")
  }

  /// `word` quoted for a POSIX shell when it needs to be.
  static func shellWord(_ word: String) -> String {
    string("\(shellWord: word)")
  }

  /// `text` padded with spaces, or cut, to exactly `width` characters (what Foundation's
  /// `padding(toLength:withPad:startingAt:)` does, without going through NSString).
  static func pad(_ text: String, _ width: Int) -> String {
    string("\(text, padded: width)")
  }

  /// `text` cut to `limit` characters with `…`.
  static func cut(_ text: String, _ limit: Int) -> String {
    string("\(cut: text, limit)")
  }

  /// `12 errors`, `1 error`.
  static func count(_ value: Int, _ noun: String) -> String {
    string("\(count: value, noun)")
  }

  private static func string(_ text: ReportText) -> String {
    text.string
  }

  /// Whether `word` can stand in a POSIX shell command unquoted.
  static func isPlainShellWord(_ word: String) -> Bool {
    // An ASCII word, the usual one, is decided on its bytes.
    let ascii: Bool? =
      word.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
        guard isPlainASCII(bytes) else { return nil }
        return !bytes.isEmpty && bytes.allSatisfy { shellPlainBytes.contains($0) }
      } ?? nil
    if let ascii { return ascii }
    let plain = word.unicodeScalars.allSatisfy { scalar in
      // ASCII is decided by a mask (its alphabetic scalars are the letters); the Unicode
      // properties are looked up only beyond it.
      if scalar.value < 0x80 { return shellPlainBytes.contains(UInt8(scalar.value)) }
      return scalar.properties.isAlphabetic
    }
    return plain && !word.isEmpty
  }

  /// The ASCII bytes a shell word may hold unquoted: letters, digits and `-_./:=@%+,`.
  private static let shellPlainBytes = ByteSet.alphanumeric(and: "-_./:=@%+,")

  /// A tab or a Unicode space separator (category Zs), the members of `CharacterSet.whitespaces`.
  @inline(__always)
  static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value < 0x80 { return scalar.value == 0x20 || scalar.value == 0x09 }
    return scalar.properties.generalCategory == .spaceSeparator
  }

  /// `text.count`, without walking grapheme clusters when every byte is a character of its
  /// own: samples run to 400 characters, and the report measures thousands of them.
  static func characterCount(_ text: String) -> Int {
    var text = text
    return text.withUTF8 { isPlainASCII($0) } ? text.utf8.count : text.count
  }

  /// `characterCount` of the text `bytes` hold.
  static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    isPlainASCII(bytes) ? bytes.count : String(decoding: bytes, as: UTF8.self).count
  }

  /// Whether `bytes` are ASCII without a carriage return (which joins a following line feed
  /// into one character).
  static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    if let base = bytes.baseAddress {
      while index + 8 <= bytes.count {
        let octet = ByteOctet(base + index)
        if octet.hasNonASCII || octet.firstIndex(of: 0x0D) != nil { return false }
        index += 8
      }
    }
    for byte in bytes[index...] where byte >= 0x80 || byte == 0x0D { return false }
    return true
  }
}
