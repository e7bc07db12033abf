// The metric and resource catalogues that name every series: loaded from the `metrics.tsv` and
// `resources.tsv` files shipped with arraytool.

import Foundation

/// How a raw .dat value becomes the value of a sample.
public enum ValueScale: Equatable, Sendable {
  /// The raw integer as it is.
  case none
  /// The raw integer divided by this number.
  case divide(Int64)
  /// The raw integer multiplied by this number (`1/1024` in the table).
  case multiply(Int64)

  /// Parses the `divisor` column: empty, `1000`, `1024` or `1/1024`.
  init?(divisorColumn text: String) {
    let text = text.trimmingCharacters(in: .whitespaces)
    if text.isEmpty || text == "1" {
      self = .none
    } else if text.hasPrefix("1/"), let factor = Int64(text.dropFirst(2)), factor > 0 {
      self = .multiply(factor)
    } else if let divisor = Int64(text), divisor > 0 {
      self = .divide(divisor)
    } else {
      return nil
    }
  }

  /// The sample value of `raw` as a floating-point number.
  public func apply(_ raw: Int32) -> Double {
    switch self {
    case .none: return Double(raw)
    case .divide(let divisor): return Double(raw) / Double(divisor)
    case .multiply(let factor): return Double(raw) * Double(factor)
    }
  }
}

/// One metric of the catalogue.
public struct MetricInfo: Equatable, Sendable {
  public var id: Int
  /// The name the array's own tools show.
  public var displayName: String
  /// The VictoriaMetrics series name.
  public var seriesName: String
  public var scale: ValueScale
}

/// Why the catalogue could not be loaded.
public struct CatalogError: UserFacingError, Equatable {
  public var userMessage: String
  public var exitStatus: ExitStatus { .usage }
}

/// Metric ids and resource type ids with the names series get.
public struct SeriesCatalog: Sendable {
  public private(set) var metrics: [Int: MetricInfo] = [:]
  public private(set) var resources: [Int: String] = [:]

  /// Builds a catalogue from the text of the two tables.
  /// - Throws: `CatalogError` naming the table and line that is malformed.
  public init(metricsTable: String, resourcesTable: String) throws {
    for (number, line) in Self.rows(metricsTable) {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 3, let id = Int(fields[0]),
        let scale = ValueScale(divisorColumn: fields.count > 3 ? fields[3] : "")
      else { throw CatalogError(userMessage: "metrics.tsv line \(number) is malformed") }
      metrics[id] = MetricInfo(id: id, displayName: fields[1], seriesName: fields[2], scale: scale)
    }
    for (number, line) in Self.rows(resourcesTable) {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count >= 2, let id = Int(fields[0]) else {
        throw CatalogError(userMessage: "resources.tsv line \(number) is malformed")
      }
      resources[id] = String(fields[1])
    }
  }

  /// Data lines with their 1-based line numbers, header and blank lines left out.
  private static func rows(_ table: String) -> [(Int, Substring)] {
    table.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      .compactMap { index, raw in
        let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
        return index == 0 || line.isEmpty ? nil : (index + 1, line)
      }
  }

  /// The series name and scale for metric `id`; unknown ids get `huawei_unknown_metric_<id>`.
  public func metric(_ id: Int) -> MetricInfo {
    metrics[id]
      ?? MetricInfo(
        id: id, displayName: "unknown metric \(id)", seriesName: "huawei_unknown_metric_\(id)",
        scale: .none)
  }

  /// The `Resource` label for type `id`; unknown ids get `UNKNOWN_RESOURCE_<id>`.
  public func resourceName(_ id: Int) -> String {
    resources[id] ?? "UNKNOWN_RESOURCE_\(id)"
  }

  public func isKnownMetric(_ id: Int) -> Bool { metrics[id] != nil }
  public func isKnownResource(_ id: Int) -> Bool { resources[id] != nil }

  /// The catalogue shipped with arraytool, loaded once.
  public static func bundled() throws -> SeriesCatalog {
    try bundledResult.get()
  }

  private static let bundledResult: Result<SeriesCatalog, Error> = Result {
    guard let folder = dataFolder() else {
      throw CatalogError(
        userMessage: "cannot find metrics.tsv and resources.tsv: install the "
          + "arraytool_ArrayToolKit.resources folder beside the executable or set ARRAYTOOL_DATA")
    }
    let metrics = try String(contentsOfFile: folder + "/metrics.tsv", encoding: .utf8)
    let resources = try String(contentsOfFile: folder + "/resources.tsv", encoding: .utf8)
    return try SeriesCatalog(metricsTable: metrics, resourcesTable: resources)
  }

  /// Where the tables are: `$ARRAYTOOL_DATA`, the resource folder beside the executable (or
  /// beside the test bundle), or `../share/arraytool` from the executable.
  static func dataFolder() -> String? {
    var candidates: [String] = []
    if let custom = ProcessInfo.processInfo.environment["ARRAYTOOL_DATA"] {
      candidates.append(custom)
    }
    let bundleName = "arraytool_ArrayToolKit.resources"
    if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
      var directory = executable.deletingLastPathComponent()
      candidates.append(directory.appendingPathComponent(bundleName).path)
      candidates.append(directory.appendingPathComponent("../share/arraytool").path)
      while directory.path != "/" && directory.pathExtension != "xctest" {
        directory.deleteLastPathComponent()
      }
      if directory.pathExtension == "xctest" {
        candidates.append(directory.deletingLastPathComponent().appendingPathComponent(bundleName).path)
      }
    }
    candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).path)
    candidates.append(
      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(bundleName).path)
    return candidates.first {
      FileManager.default.fileExists(atPath: $0 + "/metrics.tsv")
        && FileManager.default.fileExists(atPath: $0 + "/resources.tsv")
    }
  }
}
