// Reading `arraytool probe --json` output back in tests: one object per line, and the phases
// reduced to the parts a test can know exactly.

import Foundation

/// One target's object from `probe --json`.
struct ProbeJSON {
  let object: [String: Any]

  /// Every object of a `--json` run's standard output, in order.
  static func objects(_ stdout: String) throws -> [ProbeJSON] {
    try stdout.split(separator: "\n").map { line in
      let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
      return ProbeJSON(object: value as? [String: Any] ?? [:])
    }
  }

  var healthy: Bool? { object["healthy"] as? Bool }
  var errorKind: String? { object["error_kind"] as? String }
  var phases: [[String: Any]] { object["phases"] as? [[String: Any]] ?? [] }
  var facts: [String: Any]? { object["facts"] as? [String: Any] }
  var resolver: [String: Any]? { object["resolver"] as? [String: Any] }
  var diagnosisKinds: [String] {
    (object["diagnosis"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
  }

  /// Each phase as `name ok|FAIL kind`, such as `tcp FAIL connection_refused`.
  var outline: [String] {
    phases.map { phase in
      let name = phase["name"] as? String ?? "?"
      let ok = phase["ok"] as? Bool == true ? "ok" : "FAIL"
      return "\(name) \(ok) \(phase["error_kind"] as? String ?? "-")"
    }
  }

  /// The message of the phase called `name`.
  func message(_ name: String) -> String? {
    phases.first { $0["name"] as? String == name }?["message"] as? String
  }

  /// The seconds the phase called `name` took.
  func seconds(_ name: String) -> Double? {
    phases.first { $0["name"] as? String == name }?["seconds"] as? Double
  }
}
