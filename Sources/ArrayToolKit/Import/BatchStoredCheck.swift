// Before a batch whose earlier request was cut off after its body went out (a timeout, a reset,
// the second Ctrl-C) is sent again, by the import's next attempt or by a replay, arraytool asks
// VictoriaMetrics what it holds of the batch: all of it, and the batch is done; none, and it is
// sent; some, and only the samples not stored are sent. When the question cannot be answered,
// or there is nobody to ask, the batch is kept in the spool rather than risk a second copy.

import Foundation

/// How much of a batch a VictoriaMetrics holds.
public enum StoredState: Equatable, Sendable {
  case all
  case none
  case some(found: Int, of: Int)
  /// Nobody can be asked (no VictoriaMetrics is known), and why.
  case unasked(String)
  /// The question was asked and not answered, and why.
  case unknown(String)

  /// What was found and what follows from it in an import, for the line of a batch whose
  /// request was cut off with `failure` and that has `samples` samples.
  static func describe(_ state: StoredState, samples: Int, failure: DeliveryFailure) -> String {
    let cutOff = "its request was cut off after its body went out (\(failure.message))"
    switch state {
    case .all:
      return "\(cutOff), and all its \(samples) samples are stored: not sent again"
    case .none:
      return "\(cutOff), and none of its \(samples) samples is stored yet: sending it again"
    case .some(let found, let total):
      return "\(cutOff), and \(found) of its \(total) samples are stored: sending the "
        + "\(total - found) that are not"
    case .unasked(let why):
      return "\(cutOff), and whether it is stored cannot be checked (\(why)): keeping it in the "
        + "spool rather than risk storing it twice"
    case .unknown(let why):
      return "\(cutOff), and whether it is stored could not be checked (\(why)): keeping it "
        + "in the spool rather than risk storing it twice"
    }
  }
}

/// What a count found of a batch, and what is left to send of it.
struct StoredReading: Equatable, Sendable {
  var state: StoredState
  /// The samples of the body counted; nil when it was not read.
  var samples: Int?
  /// For `.some`: the batch's lines with only the samples not found stored; nil when its
  /// values could not be cut apart.
  var rest: [UInt8]?
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
  /// False when the line is not one (an empty line is none and passes).
  @discardableResult
  static func add(
    line: UnsafeRawBufferPointer, stamps: [SeriesKey: [Int64: Int]],
    to found: inout [SeriesKey: Set<Int64>]
  ) -> Bool {
    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
    guard let series = SeriesLine(line) else { return false }
    let key = LandedCheck.seriesKey(series.metric)
    guard let expected = stamps[key] else { return true }
    for stamp in series.timestamps where expected[stamp] != nil {
      found[key, default: []].insert(stamp)
    }
    return true
  }

  /// The lines of `body` with only the samples whose timestamps `found` does not hold for their
  /// series; nil when a line cannot be cut apart.
  static func unstored(_ body: [UInt8], found: [SeriesKey: Set<Int64>]) -> [UInt8]? {
    var rest: [UInt8] = []
    for line in body.split(separator: 0x0A) {
      guard let series = line.withUnsafeBytes({ SeriesLine($0) }) else { return nil }
      let stored = found[LandedCheck.seriesKey(series.metric)] ?? []
      guard let kept = line.withUnsafeBytes({ SeriesLine.keeping($0) { !stored.contains($0) } })
      else { return nil }
      if !kept.isEmpty {
        rest.append(contentsOf: kept)
        rest.append(0x0A)
      }
    }
    return rest
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

  /// Seconds between the counts of a batch whose request found no answer in `timeout` seconds:
  /// a third of it, between 1 and 10, as a server that slow may be as slow to store it.
  static func pause(timeout: Double) -> Double { min(10, max(1, timeout / 3)) }

  /// What the queries hold of the batch whose body is `body`, once it stops changing: a server
  /// still storing the body of a request it has not answered reads as holding none or some of
  /// it, so a reading of none or some is taken only when the next, `pause` seconds later, says
  /// the same (at most `readings` readings; the last one stands).
  /// A vmagent target may hold what it accepted for its flush interval before its queue shows
  /// it, so the counts are at least that far apart.
  func settledReading(of body: [UInt8], pause: Double, readings: Int = 5) -> StoredReading {
    let flush = LandedCheck(queries: queries, agents: agents, timeout: timeout).agentFlushInterval()
    // The flush and then its delivery to the store, with room for a request a proxy held back.
    let pause = flush > 0 ? max(pause, flush + 2) : pause
    var reading = self.reading(of: body)
    for _ in 1..<max(1, readings) {
      switch reading.state {
      case .all, .unasked, .unknown: return reading
      case .none, .some: break
      }
      if Deadline(seconds: pause).sleep(unless: shouldStop) {
        return StoredReading(
          state: .unknown("interrupted before a second count could confirm the first"),
          samples: reading.samples)
      }
      let next = self.reading(of: body)
      if next == reading { return reading }
      reading = next
    }
    return reading
  }

  /// What the queries hold of the batch whose body is `body`, and what is left to send of it.
  func reading(of body: [UInt8]) -> StoredReading {
    guard !queries.isEmpty else {
      return StoredReading(
        state: .unasked("no VictoriaMetrics is known to count its samples in (--query-url)"))
    }
    guard let expected = Self.expectation(of: body) else {
      return StoredReading(state: .unasked("its lines are not import JSON lines with timestamps"))
    }
    var check = LandedCheck(queries: queries, agents: agents, timeout: timeout)
    check.shouldStop = shouldStop
    if let stuck = check.waitForQueues(until: Deadline(seconds: timeout)) {
      return StoredReading(state: .unknown(stuck), samples: expected.samples.values.reduce(0, +))
    }
    var found: [SeriesKey: Set<Int64>] = [:]
    var unreadable = 0
    // The counts of one batch are small: a few seconds, or the request timeout when longer.
    let until = Deadline(seconds: max(5, timeout))
    do {
      for query in queries {
        check.flush(query, until: until)
        for serial in Set(expected.samples.keys.map(\.serial)).sorted() {
          try check.export(
            serial: serial, in: query, first: expected.first, last: expected.last, until: until
          ) {
            if !Self.add(line: $0, stamps: expected.stamps, to: &found) { unreadable += 1 }
          }
        }
      }
    } catch is HTTPClient.Interrupted {
      return StoredReading(state: .unknown("interrupted before its samples were counted"))
    } catch {
      return StoredReading(state: .unknown((error as? ProbeFailure)?.message ?? "\(error)"))
    }
    let samples = expected.samples.values.reduce(0, +)
    // A page that is not export lines says nothing about what is stored: none found in it is
    // no reason to send the batch again.
    if unreadable > 0 {
      return StoredReading(
        state: .unknown("\(unreadable) line\(unreadable == 1 ? "" : "s") of the export could not "
          + "be read as VictoriaMetrics JSON lines"), samples: samples)
    }
    let state = Self.state(stamps: expected.stamps, found: found)
    guard case .some = state else { return StoredReading(state: state, samples: samples) }
    return StoredReading(state: state, samples: samples, rest: Self.unstored(body, found: found))
  }
}
