// Before a replay sends a batch whose earlier request was cut off after its body went out (a
// timeout, a reset, the second Ctrl-C), it asks VictoriaMetrics what it holds of the batch: all
// of it, and the batch is done; none, and it is sent; some, and sending it would store those
// twice, so it is left in the spool for a person to decide.

import Foundation

/// How much of a spooled batch a VictoriaMetrics holds.
enum StoredState: Equatable {
  case all
  case none
  case some(found: Int, of: Int)
  /// The question could not be answered, and why.
  case unknown(String)
}

/// Counts the samples of a spooled batch where they would be stored.
struct SpooledBatchCheck {
  /// The VictoriaMetrics to count in.
  let queries: [ProbeEndpoint]
  /// The targets that may be vmagents holding the batch in their queue.
  let agents: [ProbeEndpoint]
  let timeout: Double

  /// The samples of `body` (import JSON lines) per series, and the first and last timestamp.
  static func expectation(of body: [UInt8]) -> (samples: [SeriesKey: Int], first: Int64, last: Int64)? {
    var samples: [SeriesKey: Int] = [:]
    var first = Int64.max
    var last = Int64.min
    for line in body.split(separator: 0x0A) {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let metric = object["metric"] as? [String: String],
        let timestamps = object["timestamps"] as? [NSNumber], !timestamps.isEmpty
      else { return nil }
      samples[LandedCheck.seriesKey(metric), default: 0] += timestamps.count
      for stamp in timestamps {
        first = min(first, stamp.int64Value)
        last = max(last, stamp.int64Value)
      }
    }
    return samples.isEmpty ? nil : (samples, first, last)
  }

  /// What the queries hold of the batch whose body is `body`.
  func state(of body: [UInt8]) -> StoredState {
    guard !queries.isEmpty else {
      return .unknown("no VictoriaMetrics is known to count its samples in (--query-url)")
    }
    guard let (expected, first, last) = Self.expectation(of: body) else {
      return .unknown("its lines are not import JSON lines with timestamps")
    }
    let check = LandedCheck(queries: queries, agents: agents, timeout: timeout)
    if let stuck = check.waitForQueues(until: Deadline(seconds: timeout)) { return .unknown(stuck) }
    var found: [SeriesKey: Int] = [:]
    do {
      for query in queries {
        check.flush(query)
        for serial in Set(expected.keys.map(\.serial)).sorted() {
          try check.count(serial: serial, in: query, first: first, last: last, into: &found)
        }
      }
    } catch {
      return .unknown((error as? ProbeFailure)?.message ?? "\(error)")
    }
    if expected.allSatisfy({ found[$0.key] == $0.value }) { return .all }
    let held = expected.reduce(0) { $0 + min(found[$1.key] ?? 0, $1.value) }
    if held == 0 { return .none }
    return .some(found: held, of: expected.values.reduce(0, +))
  }
}
