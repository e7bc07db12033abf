// Before a batch whose earlier request was cut off after its body went out (a timeout, a reset,
// the second Ctrl-C) is sent again, by the import's next attempt or by a replay, arraytool asks
// VictoriaMetrics what it holds of the batch: all of it, and the batch is done; none, and it is
// sent; some, and sending it would store those twice, so it is kept in the spool for a person
// to decide.

import Foundation

/// How much of a batch a VictoriaMetrics holds.
public enum StoredState: Equatable, Sendable {
  case all
  case none
  case some(found: Int, of: Int)
  /// The question could not be answered, and why.
  case unknown(String)

  /// What was found and what follows from it, for the line of a batch whose request was cut off
  /// with `failure` and that has `samples` samples.
  static func describe(_ state: StoredState, samples: Int, failure: DeliveryFailure) -> String {
    let cutOff = "its request was cut off after its body went out (\(failure.message))"
    switch state {
    case .all:
      return "\(cutOff), and all its \(samples) samples are stored: not sent again"
    case .none:
      return "\(cutOff), and none of its \(samples) samples is stored yet: sending it again"
    case .some(let found, let total):
      return "\(cutOff), and \(found) of its \(total) samples are stored: not sent again, "
        + "which would store those twice"
    case .unknown(let why):
      return "\(cutOff), and whether it is stored could not be checked (\(why)): sending it again"
    }
  }
}

/// Counts the samples of a batch where they would be stored.
struct BatchStoredCheck {
  /// The VictoriaMetrics to count in.
  let queries: [ProbeEndpoint]
  /// The targets that may be vmagents holding the batch in their queue.
  let agents: [ProbeEndpoint]
  let timeout: Double
  /// Asked while it waits on a vmagent's queue; true ends the wait (Ctrl-C).
  var shouldStop: () -> Bool = { false }

  /// The samples of `body` (import JSON lines) per series, how many of them each timestamp of
  /// the series has, and the first and last timestamp.
  static func expectation(of body: [UInt8])
    -> (samples: [SeriesKey: Int], stamps: [SeriesKey: [Int64: Int]], first: Int64, last: Int64)?
  {
    var samples: [SeriesKey: Int] = [:]
    var stamps: [SeriesKey: [Int64: Int]] = [:]
    var first = Int64.max
    var last = Int64.min
    for line in body.split(separator: 0x0A) {
      guard let series = line.withUnsafeBytes({ SeriesLine($0) }), !series.timestamps.isEmpty
      else { return nil }
      let key = LandedCheck.seriesKey(series.metric)
      samples[key, default: 0] += series.timestamps.count
      for stamp in series.timestamps {
        stamps[key, default: [:]][stamp, default: 0] += 1
        first = min(first, stamp)
        last = max(last, stamp)
      }
    }
    return samples.isEmpty ? nil : (samples, stamps, first, last)
  }

  /// Adds to `found` the timestamps of `stamps` that an /api/v1/export line holds for its
  /// series. Timestamps, not counts: the window of a batch holds samples of other batches of
  /// the same series (another block of the file, the rows before or after its own), and a
  /// server that deduplicates keeps one of the samples a batch has at one timestamp.
  static func add(
    line: UnsafeRawBufferPointer, stamps: [SeriesKey: [Int64: Int]],
    to found: inout [SeriesKey: Set<Int64>]
  ) {
    guard let series = SeriesLine(line) else { return }
    let key = LandedCheck.seriesKey(series.metric)
    guard let expected = stamps[key] else { return }
    for stamp in series.timestamps where expected[stamp] != nil {
      found[key, default: []].insert(stamp)
    }
  }

  /// What `found` (the timestamps stored per series) holds of a batch with these `stamps`.
  static func state(stamps: [SeriesKey: [Int64: Int]], found: [SeriesKey: Set<Int64>])
    -> StoredState
  {
    var held = 0
    var total = 0
    for (key, counts) in stamps {
      let stored = found[key] ?? []
      for (stamp, count) in counts {
        total += count
        if stored.contains(stamp) { held += count }
      }
    }
    if held == total { return .all }
    if held == 0 { return .none }
    return .some(found: held, of: total)
  }

  /// What the queries hold of the batch whose body is `body`, once it stops changing: a server
  /// still storing the body of a request it has not answered reads as holding none or some of
  /// it, so a reading of none or some is taken only when the next, `pause` seconds later, says
  /// the same (at most `readings` readings; the last one stands).
  func settledState(of body: [UInt8], pause: Double, readings: Int = 5) -> StoredState {
    var state = self.state(of: body)
    for _ in 1..<max(1, readings) {
      switch state {
      case .all, .unknown: return state
      case .none, .some: break
      }
      let until = Deadline(seconds: pause)
      while !until.hasPassed {
        if shouldStop() { return state }
        usleep(UInt32(min(100_000, max(1_000, until.remaining * 1_000_000))))
      }
      let next = self.state(of: body)
      if next == state { return state }
      state = next
    }
    return state
  }

  /// What the queries hold of the batch whose body is `body`.
  func state(of body: [UInt8]) -> StoredState {
    guard !queries.isEmpty else {
      return .unknown("no VictoriaMetrics is known to count its samples in (--query-url)")
    }
    guard let expected = Self.expectation(of: body) else {
      return .unknown("its lines are not import JSON lines with timestamps")
    }
    var check = LandedCheck(queries: queries, agents: agents, timeout: timeout)
    check.shouldStop = shouldStop
    if let stuck = check.waitForQueues(until: Deadline(seconds: timeout)) { return .unknown(stuck) }
    var found: [SeriesKey: Set<Int64>] = [:]
    do {
      for query in queries {
        check.flush(query)
        for serial in Set(expected.samples.keys.map(\.serial)).sorted() {
          try check.export(serial: serial, in: query, first: expected.first, last: expected.last) {
            Self.add(line: $0, stamps: expected.stamps, to: &found)
          }
        }
      }
    } catch {
      return .unknown((error as? ProbeFailure)?.message ?? "\(error)")
    }
    return Self.state(stamps: expected.stamps, found: found)
  }
}
