// Renders an `ExportInventory` for a person (text) or a program (JSON).

import Foundation

/// Text and JSON renderings of inspection results.
public enum InspectReport {
  /// The text block for one input.
  public static func text(input: String, _ inventory: ExportInventory, catalog: SeriesCatalog)
    -> String
  {
    var lines = ["\(input):"]
    func add(_ label: String, _ value: String) {
      lines.append("  " + (label + ":").padding(toLength: 16, withPad: " ", startingAt: 0) + value)
    }
    add("files", "\(inventory.files)" + (inventory.filesWithFaults > 0 ? " (\(inventory.filesWithFaults) with faults)" : ""))
    add("serials", inventory.serials.sorted().joined(separator: ", "))
    add("models", inventory.models.sorted().joined(separator: ", "))
    // The controller comes from the file name; names without one leave it unknown.
    let controllers = inventory.processors.sorted().map { "SP\($0)" }
    add("controllers", controllers.isEmpty ? "unknown" : controllers.joined(separator: ", "))
    if let first = inventory.firstTimestamp, let last = inventory.lastTimestamp {
      add("time range", "\(utc(first)) to \(utc(last)) UTC")
    }
    add("intervals", inventory.intervals.sorted().map { "\($0) s" }.joined(separator: ", "))
    let resources = inventory.elementCounts.sorted { $0.key < $1.key }.map {
      "\(catalog.resourceName($0.key)) (\($0.key)): \($0.value)"
    }
    add("resources", resources.joined(separator: ", "))
    let unknown = inventory.unknownMetricIDs.count
    add("metrics", "\(inventory.metricIDs.count) ids, \(inventory.metricIDs.count - unknown) known, \(unknown) unknown"
      + (unknown > 0 ? " (" + inventory.unknownMetricIDs.sorted().map(String.init).joined(separator: ", ") + ")" : ""))
    if !inventory.unknownResourceIDs.isEmpty {
      add("unknown types", inventory.unknownResourceIDs.sorted().map(String.init).joined(separator: ", "))
    }
    add("series", grouped(inventory.series))
    add("samples", grouped(inventory.samples))
    if inventory.filesToSend != inventory.files {
      // The figures above count all the input holds; import sends a repeated file once.
      add("import sends", "\(grouped(inventory.filesToSend)) files, "
        + "\(grouped(inventory.samplesToSend)) samples (the repeats below left out)")
    }
    for collision in inventory.collisions.sorted(by: { $0.message < $1.message }) {
      lines.append("  collision: \(collision.message)")
    }
    for warning in inventory.warnings { lines.append("  warning: \(warning.line)") }
    for note in inventory.notes { lines.append("  note: \(note.line)") }
    for repeated in inventory.repeats {
      let reason = ImportReport.duplicateReason(repeated, done: "imported", would: true)
      lines.append("  repeat: \(repeated.path): " + reason)
    }
    for conflict in inventory.conflicts {
      lines.append("  conflict: \(conflict.finding); import refuses both")
    }
    if inventory.faults.isEmpty {
      add("faults", "none")
    } else {
      add("faults", "\(inventory.faults.count)")
      for fault in inventory.faults { lines.append("    \(fault.line)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One JSON object with totals and one entry per input.
  public static func json(
    total: ExportInventory, inputs: [(String, ExportInventory)], catalog: SeriesCatalog
  ) throws -> String {
    var object = fields(total, catalog: catalog)
    object["inputs"] = inputs.map { input, inventory -> [String: Any] in
      var entry = fields(inventory, catalog: catalog)
      entry["input"] = input
      return entry
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  private static func fields(_ inventory: ExportInventory, catalog: SeriesCatalog) -> [String: Any] {
    [
      "files": inventory.files,
      "files_with_faults": inventory.filesWithFaults,
      "series": inventory.series,
      "samples": inventory.samples,
      "serials": inventory.serials.sorted(),
      "models": inventory.models.sorted(),
      "controllers": inventory.processors.sorted().map { "SP\($0)" },
      "first_timestamp": inventory.firstTimestamp.map { $0 as Any } ?? NSNull(),
      "last_timestamp": inventory.lastTimestamp.map { $0 as Any } ?? NSNull(),
      "intervals": inventory.intervals.sorted(),
      "resources": inventory.elementCounts.sorted { $0.key < $1.key }.map {
        ["id": $0.key, "name": catalog.resourceName($0.key), "elements": $0.value] as [String: Any]
      },
      "metric_ids": inventory.metricIDs.sorted(),
      "unknown_metric_ids": inventory.unknownMetricIDs.sorted(),
      "unknown_resource_ids": inventory.unknownResourceIDs.sorted(),
      "collisions": inventory.collisions.sorted(by: { $0.message < $1.message }).map {
        ["series": $0.seriesName, "resource": $0.resource, "element": $0.element,
         "metric_ids": $0.metricIDs, "elements": $0.elementCount] as [String: Any]
      },
      "faults": inventory.faults.map(faultObject),
      "warnings": inventory.warnings.map(faultObject),
      "notes": inventory.notes.map(noteObject),
      "repeats": inventory.repeats.map {
        ["file": $0.path, "same_as": $0.sameAs, "files": $0.files,
         "reason": ImportReport.duplicateReason($0, done: "imported", would: true)] as [String: Any]
      },
      "conflicts": inventory.conflicts.map {
        ["file": $0.location, "other": $0.other, "size": $0.size, "other_size": $0.otherSize]
          as [String: Any]
      },
    ]
  }

  /// A fault as the JSON object every subcommand uses.
  public static func faultObject(_ fault: InputFault) -> [String: Any] {
    [
      "path": fault.path, "member": fault.member as Any? ?? NSNull(), "kind": fault.kind.rawValue,
      "offset": fault.offset, "message": fault.message,
    ]
  }

  /// A note as the JSON object every subcommand uses.
  public static func noteObject(_ note: InputNote) -> [String: Any] {
    [
      "path": note.path, "member": note.member as Any? ?? NSNull(), "offset": note.offset,
      "message": note.message,
    ]
  }

  /// `2025-09-25 00:00:00` for Unix milliseconds.
  public static func utc(_ milliseconds: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
  }

  /// `67,200`.
  public static func grouped(_ number: Int) -> String {
    let digits = String(number)
    var result = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
      result.append(character)
    }
    return result
  }
}
