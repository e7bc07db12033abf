// After an import, checks that what was sent is what VictoriaMetrics holds: waits until vmagent's
// queue is empty, makes the newest data searchable, then reads the timestamps of every imported
// series through /api/v1/export and compares them with what was sent, series by series: how
// many, and their print (`SampleSet`), so that a series holding as many samples as were sent but
// at other times does not pass.

import Foundation

/// The outcome of a landed check.
public struct LandedResult: Sendable {
  /// One series whose samples in VictoriaMetrics differ from what was sent.
  public struct Difference: Sendable, Equatable {
    public var series: String
    public var sent: Int
    public var found: Int
    /// As many samples as were sent, but not at the same timestamps.
    public var otherTimestamps = false

    public init(series: String, sent: Int, found: Int, otherTimestamps: Bool = false) {
      self.series = series
      self.sent = sent
      self.found = found
      self.otherTimestamps = otherTimestamps
    }
  }

  public var queryURL: String
  public var expectedSamples = 0
  public var foundSamples = 0
  public var expectedSeries = 0
  public var differences: [Difference] = []
  /// Why the check could not be done, when it could not.
  public var error: String?
  public var seconds = 0.0
  /// Whether the samples went through a vmagent, which writes where its -remoteWrite.url says.
  public var throughAgent = false

  public var passed: Bool { error == nil && differences.isEmpty }
}

/// Compares sent samples with what a VictoriaMetrics holds.
public struct LandedCheck {
  /// The VictoriaMetrics to count in. With several (the targets and the fallback that are one),
  /// each sample landed in exactly one of them, so their counts add up.
  public let queries: [ProbeEndpoint]
  /// Import targets that may be vmagents whose queue must drain first.
  public let agents: [ProbeEndpoint]
  /// How long to wait for the queue and for the counts to match.
  public let timeout: Double
  var resolver: any HostResolver = SystemResolver()
  /// Asked between rounds; true ends the check (Ctrl-C).
  public var shouldStop: () -> Bool = { false }
  /// Seconds to wait once the counts match before reading them once more: after a batch was
  /// sent again because nothing of its cut-off request was found stored, a server that stores
  /// that request late shows the second copy only then.
  public var confirmAfter: Double = 0
  public static let interruptedMessage = "interrupted before the counts were compared"

  public init(queries: [ProbeEndpoint], agents: [ProbeEndpoint], timeout: Double) {
    self.queries = queries
    self.agents = agents
    self.timeout = timeout
  }

  /// Runs the check for the `expected` samples of each series between `first` and `last` (Unix
  /// ms).
  public func run(expected: [SeriesKey: SampleSet], first: Int64, last: Int64) -> LandedResult {
    let started = Deadline.now()
    let until = Deadline(seconds: timeout)
    var result = LandedResult(
      queryURL: queries.map { $0.url("/api/v1/export") }.joined(separator: ", "))
    result.expectedSamples = expected.values.reduce(0) { $0 + $1.count }
    result.expectedSeries = expected.count
    result.throughAgent = !agents.isEmpty
    let serials = Set(expected.keys.map(\.serial)).sorted()
    var previous: [SeriesKey: SampleSet]?
    var confirmed = confirmAfter <= 0
    // Readings of a vmagent's store that are to agree are at least its flush interval apart.
    let flushInterval = agentFlushInterval()
    let roundPause = max(0.5, flushInterval)
    // What a vmagent took last is in none of its queues for up to its flush interval: its queue
    // reads empty, and a first count would miss it. One that matches then (an earlier copy of
    // the same samples already stored) would pass an import that is stored twice.
    let firstDelay = Self.firstCountDelay(agentFlushInterval: flushInterval)
    if firstDelay > 0, Deadline(seconds: firstDelay).sleep(unless: shouldStop) {
      result.error = Self.interruptedMessage
      result.seconds = Deadline.now() - started
      return result
    }
    while true {
      // Every round: vmagent passes on what it took only after its flush interval, so a queue
      // empty at first may fill and then stay full when it cannot deliver.
      if let stuck = waitForQueues(until: until) {
        result.error = stuck
        break
      }
      var found: [SeriesKey: SampleSet] = [:]
      var unreadable = 0
      do {
        for query in queries {
          flush(query, until: until)
          for serial in serials {
            try count(serial: serial, in: query, first: first, last: last, until: until,
                      into: &found, unreadable: &unreadable)
          }
        }
        result.foundSamples = expected.keys.reduce(0) { $0 + (found[$1]?.count ?? 0) }
        result.differences = expected.compactMap { key, sent in
          let got = found[key] ?? SampleSet()
          guard got != sent else { return nil }
          return LandedResult.Difference(
            series: Self.describe(key), sent: sent.count, found: got.count,
            otherTimestamps: got.count == sent.count)
        }.sorted { $0.series < $1.series }
        result.error = nil
      } catch is HTTPClient.Interrupted {
        result.error = Self.interruptedMessage
        break
      } catch {
        result.error = (error as? ProbeFailure)?.message ?? "\(error)"
      }
      // Lines that are not VictoriaMetrics' JSON lines make every count a guess: the samples in
      // them may be there or not, and waiting does not make them readable.
      if result.error == nil && unreadable > 0 {
        result.error = "\(unreadable) line\(unreadable == 1 ? "" : "s") of the export could not be "
          + "read as VictoriaMetrics JSON lines (labels and integer timestamps): the counts "
          + "cannot be trusted"
        break
      }
      // More samples than were sent do not go away by waiting, and neither do samples at other
      // times than were sent; but what is read while the last samples become searchable is
      // short of them: either is reported once two readings agree.
      let lasting = result.error == nil
        && result.differences.contains { $0.found > $0.sent || $0.otherTimestamps }
      let pause: Double
      if result.passed && !confirmed {
        confirmed = true
        pause = max(confirmAfter, roundPause)
      } else {
        if result.passed || (lasting && previous == found) || until.hasPassed { break }
        pause = roundPause
      }
      previous = lasting ? found : nil
      if Deadline(seconds: pause).sleep(unless: shouldStop) {
        result.error = Self.interruptedMessage
        break
      }
    }
    result.seconds = Deadline.now() - started
    return result
  }

  /// How long to wait before the first count: a vmagent's flush interval and a second more,
  /// and nothing when no target is a vmagent (`agentFlushInterval` 0). Every target is asked
  /// whether it is one, so an import straight into VictoriaMetrics waited a second for nothing.
  static func firstCountDelay(agentFlushInterval: Double) -> Double {
    agentFlushInterval > 0 ? agentFlushInterval + 1 : 0
  }

  private static let searches = AtomicCounter()
  private static let run = UInt32.random(in: 0...UInt32.max)

  /// A word no other export of this process or (but for a 1 in 4 billion chance) of another
  /// asks for: `8f3a01c2-17`.
  static func searchNonce() -> String {
    String(run, radix: 16) + "-" + String(searches.increment())
  }

  /// The longest `-remoteWrite.flushInterval` of the vmagents among the targets (1 s, its
  /// default, when /flags does not say; 0 without a vmagent): how long one may hold what it
  /// accepted before its queue shows it.
  func agentFlushInterval() -> Double {
    var longest = 0.0
    for agent in agents {
      let client = HTTPClient(endpoint: agent, resolver: resolver)
      // Flags that cannot be read (a vmagent behind -flagsAuthKey, one too slow to answer) do
      // not show that the target is no vmagent: it is waited for with the default interval.
      guard let answer = try? client.fetch(
        .get("/flags"), deadline: Deadline(seconds: 2), limit: 1 << 20), answer.head.isSuccess
      else {
        longest = max(longest, 1)
        continue
      }
      let body = answer.body
      let flags = VictoriaMetricsFlags.parse(String(decoding: body, as: UTF8.self))
      guard flags.isSet("remoteWrite.url") else { continue }
      let interval = flags.value("remoteWrite.flushInterval")
        .flatMap(VictoriaMetricsFlags.goDurationSeconds) ?? 1
      longest = max(longest, interval)
    }
    return longest
  }

  /// Waits until every vmagent among the targets has nothing pending; an error text on timeout.
  func waitForQueues(until: Deadline) -> String? {
    for agent in agents {
      while true {
        let client = HTTPClient(endpoint: agent, resolver: resolver)
        guard case .vmagent(let facts)? = try? ServerFacts.read(
          .vmagent, client: client, deadline: Deadline(seconds: min(5, max(0.5, until.remaining))))
        else { break }
        let pending = facts.pendingBytes + facts.persistentPendingBytes
        if pending == 0 { break }
        if shouldStop() { return Self.interruptedMessage }
        if until.hasPassed {
          return "vmagent at \(agent.url("")) still holds \(Int(pending)) bytes after "
            + "\(Int(timeout)) s"
        }
        usleep(200_000)
      }
    }
    return nil
  }

  /// Asks VictoriaMetrics to make recently added data searchable (single node only; a cluster
  /// has no such handler and needs no more than a short wait).
  /// `until` bounds it, and so does 5 s.
  func flush(_ query: ProbeEndpoint, until: Deadline) {
    var client = HTTPClient(endpoint: query, resolver: resolver)
    client.shouldStop = shouldStop
    _ = try? client.fetch(
      .get("/internal/force_flush"), deadline: Deadline(seconds: min(5, max(0.5, until.remaining))))
  }

  func count(
    serial: String, in query: ProbeEndpoint, first: Int64, last: Int64, until: Deadline,
    into found: inout [SeriesKey: SampleSet], unreadable: inout Int
  ) throws {
    try export(serial: serial, in: query, first: first, last: last, until: until) {
      if !Self.add(line: $0, window: first...last, to: &found) { unreadable += 1 }
    }
  }

  /// Hands each line of /api/v1/export for the series of `serial` between `first` and `last`
  /// (milliseconds) to `each`, as bytes that are valid only during the call; the whole answer
  /// by `until` (at least a second).
  /// - Throws: `ProbeFailure`, or `HTTPClient.Interrupted` once `shouldStop` says so.
  func export(
    serial: String, in query: ProbeEndpoint, first: Int64, last: Int64, until: Deadline,
    each: (UnsafeRawBufferPointer) -> Void
  ) throws {
    // VictoriaMetrics answers a search it answered a moment ago from its cache of which series
    // match (keyed by the filters and the days searched), for some seconds, even when series
    // were added since: a count right after one that found nothing would find nothing again.
    // A filter on a label no series has, with a value of its own each time, matches every
    // series and makes each export a new search.
    let selector = "{SN=\"\(serial)\",arraytool_search!=\"\(Self.searchNonce())\"}"
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let match = selector.addingPercentEncoding(withAllowedCharacters: allowed) ?? selector
    let path = "/api/v1/export?match%5B%5D=\(match)&start=\(first / 1000)&end=\(last / 1000 + 1)"
    var client = HTTPClient(endpoint: query, resolver: resolver)
    client.shouldStop = shouldStop
    var splitter = LineSplitter(limit: 256 << 20)
    let head = try client.send(.get(path), deadline: Deadline(seconds: max(1, until.remaining))) {
      piece in
      splitter.feedBytes(piece, line: each)
    }
    splitter.finishBytes(line: each)
    guard head.isSuccess else {
      throw ProbeFailure(.httpStatus, "GET \(path) answered \(head.status)")
    }
  }

  /// Adds the samples of an export line within `window` (Unix ms; the export is asked in whole
  /// seconds) to those of its series; false, adding nothing, when the line is not one (an empty
  /// line is none and passes).
  static func add(
    line: UnsafeRawBufferPointer, window: ClosedRange<Int64>,
    to found: inout [SeriesKey: SampleSet]
  ) -> Bool {
    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
    guard let series = SeriesLine(line) else { return false }
    var samples = SampleSet()
    for timestamp in series.timestamps where window.contains(timestamp) {
      samples.add(timestamp: timestamp)
    }
    found[seriesKey(series.metric), default: SampleSet()].add(samples)
    return true
  }

  /// The series a line's labels name.
  static func seriesKey(_ metric: [String: String]) -> SeriesKey {
    SeriesKey(
      name: metric["__name__"] ?? "", element: metric["Element"] ?? "",
      resource: metric["Resource"] ?? "", serial: metric["SN"] ?? "",
      interval: Int64(metric["scrape_interval"] ?? "") ?? 0)
  }

  /// `name{Element="…",Resource="…"}` for a report line.
  static func describe(_ key: SeriesKey) -> String {
    "\(key.name){Element=\"\(key.element)\",Resource=\"\(key.resource)\",SN=\"\(key.serial)\","
      + "scrape_interval=\"\(key.interval)\"}"
  }
}
