// The final statement of an import, for a person (text) and for a program (JSON).

import Foundation

/// Renders an `ImportResult`.
public enum ImportReport {
  /// The text report, a line per fact, failures named one per line.
  public static func text(_ result: ImportResult) -> String {
    let grouped = InspectReport.grouped
    var lines: [String] = []
    let verdict = result.allDelivered ? "all samples delivered" : "NOT everything was delivered"
    lines.append("import: \(verdict)")
    func add(_ label: String, _ value: String) {
      lines.append("  " + (label + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value)
    }
    add("files", "\(result.filesOK + result.filesFailed)/\(result.filesTotal) processed, "
      + "\(result.filesOK) imported, \(result.filesFailed) failed")
    add("samples", "\(grouped(result.samplesSent)) sent in \(grouped(result.series)) series"
      + (result.samplesFailed > 0 ? ", \(grouped(result.samplesFailed)) not delivered" : ""))
    add("batches", "\(result.batchesSent) sent, \(result.batchesRetried) retried, "
      + "\(result.batchesFailed) failed")
    add("arrays", result.serials.isEmpty ? "none" : result.serials.joined(separator: ", "))
    if let first = result.firstTimestamp, let last = result.lastTimestamp {
      add("time range", "\(InspectReport.utc(first)) to \(InspectReport.utc(last)) UTC")
    }
    add("elapsed", String(format: "%.2f s, %@ samples/s", result.seconds,
                          grouped(Int(result.throughput.rounded()))))
    add("target", result.targets.joined(separator: ", "))
    for warning in result.warnings { lines.append("  warning: \(warning)") }
    if !result.failures.isEmpty {
      lines.append("  failures:")
      for failure in result.failures {
        let location = failure.member.map { "\(failure.file)!\($0)" } ?? failure.file
        lines.append("    \(location): \(failure.reason)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The report as one JSON object.
  public static func json(_ result: ImportResult) throws -> String {
    var object: [String: Any] = [
      "files_total": result.filesTotal,
      "files_ok": result.filesOK,
      "files_failed": result.filesFailed,
      "samples_sent": result.samplesSent,
      "samples_failed": result.samplesFailed,
      "series": result.series,
      "batches_sent": result.batchesSent,
      "batches_retried": result.batchesRetried,
      "batches_failed": result.batchesFailed,
      "serials": result.serials,
      "seconds": (result.seconds * 1000).rounded() / 1000,
      "samples_per_second": result.throughput.rounded(),
      "targets": result.targets,
      "warnings": result.warnings,
      "all_delivered": result.allDelivered,
      "failures": result.failures.map { failure -> [String: Any] in
        ["file": failure.file, "member": failure.member as Any? ?? NSNull(),
         "reason": failure.reason, "samples": failure.samples]
      },
    ]
    object["first_timestamp"] = result.firstTimestamp.map { $0 as Any } ?? NSNull()
    object["last_timestamp"] = result.lastTimestamp.map { $0 as Any } ?? NSNull()
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// The progress line drawn on a terminal: files, samples, rate and an estimate of time left.
  public static func progressLine(_ progress: ImportProgress) -> String {
    let rate = progress.seconds > 0 ? Double(progress.samplesSent) / progress.seconds : 0
    var line = "import: files \(progress.filesDone)/\(progress.filesTotal) · "
      + "\(InspectReport.grouped(progress.samplesSent)) samples · "
      + "\(InspectReport.grouped(Int(rate))) samples/s"
    if progress.filesDone > 0 && progress.filesDone < progress.filesTotal {
      let left = progress.seconds / Double(progress.filesDone)
        * Double(progress.filesTotal - progress.filesDone)
      line += " · ETA \(Int(left.rounded())) s"
    }
    return line
  }
}
