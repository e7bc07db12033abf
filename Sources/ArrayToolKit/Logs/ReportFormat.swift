// How the report writes times, durations, worker ranges and lists, in one place so that the
// text and Markdown forms read the same.

/// Formatting shared by the text and Markdown reports.
enum ReportFormat {
  /// `2025-10-07 01:22:09.120 – 01:22:17.483`, the date written once when it does not change.
  static func window(_ first: LogTime?, _ last: LogTime?) -> String {
    guard let first else { return "at an unknown time" }
    guard let last, last != first else { return first.text }
    let sameDay = first.text.prefix(10) == last.text.prefix(10)
    return first.text + " – " + (sameDay ? last.clockText : last.text)
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
      scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
        || "-_./:=@%+,".unicodeScalars.contains(scalar)
    }
    if plain && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// `text` broken into lines of at most `width` characters, each starting with `indent`.
  static func wrap(_ text: String, indent: String, width: Int = 96) -> String {
    var lines: [String] = []
    var line = indent
    for word in text.split(separator: " ") {
      if line.count > indent.count && line.count + 1 + word.count > width {
        lines.append(line)
        line = indent
      }
      line += (line.count > indent.count ? " " : "") + word
    }
    if line.count > indent.count { lines.append(line) }
    return lines.joined(separator: "\n")
  }

  /// `text` cut to `limit` characters with `…`.
  static func cut(_ text: String, _ limit: Int) -> String {
    text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
  }

  /// `12 errors`, `1 error`.
  static func count(_ value: Int, _ noun: String) -> String {
    "\(value) \(noun)\(value == 1 ? "" : "s")"
  }
}

import Foundation
