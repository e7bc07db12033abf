// Renders a `VerifyResult` for a person (one line per problem, then a summary line) or for a
// program (one JSON object).

import Foundation

/// Text and JSON renderings of verify results.
public enum VerifyReport {
  /// `verify: files 3/50 · 1,234 of 5,678 MB (21 %) · 105 MB/s · ETA 40 s`, the progress line
  /// on a terminal (in kB when the inputs hold less than 10 MB); `label` names the command
  /// (`import`'s preflight uses it too).
  public static func progressLine(_ progress: ReadProgress, label: String = "verify") -> String {
    let (scale, unit): (Int64, String) =
      progress.bytesTotal < 10_000_000 ? (1_000, "kB") : (1_000_000, "MB")
    let amount = { (bytes: Int64) in InspectReport.grouped(Int(bytes / scale)) }
    let percent = progress.bytesTotal > 0 ? progress.bytesDone * 100 / progress.bytesTotal : 100
    var line = "\(label): files \(progress.filesDone)/\(progress.filesTotal) · "
      + "\(amount(progress.bytesDone)) of \(amount(progress.bytesTotal)) \(unit) (\(percent) %)"
    guard progress.seconds > 0 else { return line }
    let rate = Double(progress.bytesDone) / progress.seconds
    line += " · \(InspectReport.grouped(Int(rate / Double(scale)))) \(unit)/s"
    if rate > 0, progress.bytesDone < progress.bytesTotal {
      let left = Double(progress.bytesTotal - progress.bytesDone) / rate
      line += " · ETA \(Int(left.rounded())) s"
    }
    return line
  }

  /// The lines to print: problems, then notes (unless `quiet`), then the summary line (unless
  /// `quiet`). Unreadable inputs are not among them: they go to stderr as errors.
  public static func lines(_ result: VerifyResult, quiet: Bool) -> [String] {
    var lines = result.problems.map(\.line)
    guard !quiet else { return lines }
    lines += result.notes.map(\.line)
    lines.append(summary(result))
    return lines
  }

  /// `12 files checked, 28,893 bytes read, 17 checksums matched: no problems`.
  public static func summary(_ result: VerifyResult) -> String {
    var verdict: [String] = []
    if !result.problems.isEmpty { verdict.append(counted(result.problems.count, "problem")) }
    if !result.errors.isEmpty { verdict.append(counted(result.errors.count, "unreadable input")) }
    return "\(counted(result.filesChecked, "file")) checked, "
      + "\(InspectReport.grouped(Int(result.bytesRead))) bytes read, "
      + "\(counted(result.checksumsMatched, "checksum")) matched: "
      + (verdict.isEmpty ? "no problems" : verdict.joined(separator: ", "))
  }

  /// One JSON object: `ok`, `files_checked`, `bytes_read`, `checksums_matched`, `problems`,
  /// `notes` and `errors`.
  public static func json(_ result: VerifyResult) throws -> String {
    let object: [String: Any] = [
      "ok": result.ok,
      "files_checked": result.filesChecked,
      "bytes_read": result.bytesRead,
      "checksums_matched": result.checksumsMatched,
      "problems": result.problems.map(InspectReport.faultObject),
      "notes": result.notes.map(InspectReport.noteObject),
      "errors": result.errors.map(\.userMessage),
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  static func counted(_ count: Int, _ noun: String) -> String {
    "\(InspectReport.grouped(count)) \(noun)\(count == 1 ? "" : "s")"
  }
}
