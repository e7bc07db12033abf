// Renders a `VerifyResult` for a person (one line per problem, then a summary line) or for a
// program (one JSON object).

import Foundation

/// Text and JSON renderings of verify results.
public enum VerifyReport {
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
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  private static func counted(_ count: Int, _ noun: String) -> String {
    "\(InspectReport.grouped(count)) \(noun)\(count == 1 ? "" : "s")"
  }
}
