// What a real VictoriaMetrics holds for one array, read back the way an operator checks an
// import: wait until vmagent has passed on everything it took, make recent samples searchable,
// then export every sample of the array through /api/v1/export. Test servers run without
// deduplication, so a sample stored twice is read twice and shows in `count`.

import Foundation

@testable import ArrayToolKit

/// The samples of one array read back from VictoriaMetrics.
struct StoredSamples {
  /// Why the samples could not be read back.
  struct ReadFailure: Error, CustomStringConvertible {
    var description: String
  }

  /// Values by series and timestamp (Unix ms); a sample stored twice is kept once here.
  private(set) var values: [SeriesKey: [Int64: Double]] = [:]
  /// Every sample read, each copy of a duplicate counted.
  private(set) var count = 0

  /// The series read.
  var series: Set<SeriesKey> { Set(values.keys) }

  /// Distinct (series, timestamp) pairs: `count` less the extra copies of duplicates.
  var distinctCount: Int { values.values.reduce(0) { $0 + $1.count } }

  /// Every timestamp (Unix ms) that some series holds.
  var timestamps: Set<Int64> { Set(values.values.flatMap(\.keys)) }

  /// The value of `series` at `milliseconds`, if stored.
  func value(_ series: SeriesKey, at milliseconds: Int64) -> Double? {
    values[series]?[milliseconds]
  }

  /// Reads every sample of array `serial` from `storage`, once `agent` (when given) has nothing
  /// left in its queue. Samples accepted by vmagent may still wait in its memory for its next
  /// flush, so the export is repeated until it holds at least `expecting` samples or `timeout`
  /// seconds have passed; the caller then compares the exact figures.
  static func read(
    serial: String, from storage: VictoriaMetricsServer,
    through agent: VictoriaMetricsServer? = nil, expecting: Int, timeout: Double = 90
  ) throws -> StoredSamples {
    let deadline = Date().addingTimeInterval(timeout)
    if let agent {
      try waitForEmptyQueue(agent, until: deadline)
    }
    while true {
      let stored = try parse(try storage.export("{SN=\"\(serial)\"}"))
      if stored.count >= expecting || Date() >= deadline { return stored }
      usleep(200_000)
    }
  }

  /// Polls vmagent's `/metrics` until nothing waits in its queue, in memory or on disk.
  static func waitForEmptyQueue(_ agent: VictoriaMetricsServer, until deadline: Date) throws {
    while true {
      let pending = try agent.metricSum("vmagent_remotewrite_pending_data_bytes")
      if pending == 0 { return }
      guard Date() < deadline else {
        throw ReadFailure(description: "vmagent at \(agent.url) still holds \(pending) bytes")
      }
      usleep(100_000)
    }
  }

  /// Parses the JSON lines of `/api/v1/export`. A series may come in several lines.
  static func parse(_ export: String) throws -> StoredSamples {
    var stored = StoredSamples()
    let labels: Set<String> = ["__name__", "Element", "Resource", "SN", "scrape_interval"]
    for line in export.split(separator: "\n") {
      guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let metric = object["metric"] as? [String: String],
        let rawValues = object["values"] as? [Any], let rawStamps = object["timestamps"] as? [Any]
      else {
        throw ReadFailure(description: "unexpected export line: \(line.prefix(300))")
      }
      let values = rawValues.compactMap(number)
      let stamps = rawStamps.compactMap(number)
      guard values.count == rawValues.count, stamps.count == rawStamps.count,
        values.count == stamps.count
      else {
        throw ReadFailure(description: "unreadable values or timestamps: \(line.prefix(300))")
      }
      // Labels the importer did not send would mean someone else's samples, or a relabelling.
      guard Set(metric.keys) == labels else {
        throw ReadFailure(
          description: "unexpected labels \(metric.keys.sorted()) in \(line.prefix(300))")
      }
      let key = SeriesKey(
        name: metric["__name__", default: ""], element: metric["Element", default: ""],
        resource: metric["Resource", default: ""], serial: metric["SN", default: ""],
        interval: Int64(metric["scrape_interval", default: ""]) ?? -1)
      for (stamp, value) in zip(stamps, values) {
        stored.values[key, default: [:]][Int64(stamp)] = value
      }
      stored.count += values.count
    }
    return stored
  }

  /// A JSON number as Foundation hands it over: an integer or a floating-point number.
  private static func number(_ value: Any) -> Double? {
    switch value {
    case let number as Int: return Double(number)
    case let number as Double: return number
    case let number as NSNumber: return number.doubleValue
    default: return nil
    }
  }
}
