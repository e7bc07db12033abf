// The checks `import` runs before it sends a byte: every input verified as `verify` does, every
// target probed as `probe` does, and what the VictoriaMetrics' flags mean for this export —
// samples older than the retention (dropped without an error), deduplication (a second import
// would store samples twice) and the longest line it accepts.

import Foundation

/// One line of the preflight checklist.
public struct PreflightCheck: Sendable, Equatable {
  public enum Status: String, Sendable {
    case ok
    case warning
    case failed
  }

  public var name: String
  public var status: Status
  public var message: String
}

/// What the preflight found and decided.
public struct PreflightResult: Sendable {
  public var checks: [PreflightCheck] = []
  /// Input problems, one line each, as verify prints them.
  public var problems: [InputFault] = []
  /// Locations (`path` or `path!member`) of the damage verify found.
  public var corrupt: Set<String> = []
  /// Most samples per line the server accepts, when smaller than the default.
  public var lineSamples: Int?
  /// Whether every store whose flags were read deduplicates (-dedup.minScrapeInterval): two
  /// samples of one series and timestamp are then stored once.
  public var storesDeduplicate = false

  public var passed: Bool { !checks.contains { $0.status == .failed } }

  /// Whether verify found damage in `unit`: in its member (or the .dat inside it), or in the
  /// whole file it comes from.
  public func isCorrupt(_ unit: DatUnit) -> Bool {
    problems.contains { Self.problem($0, concerns: unit) }
  }

  /// The inputs whose damage no unit stands for, each as its file and member: an archive cut
  /// before its listing, an entry that could not be read as a unit. Their samples are not
  /// sent and not counted anywhere else.
  public func damagedWithoutUnits(_ units: [DatUnit]) -> [(path: String, member: String?)] {
    var seen = Set<String>()
    return problems.compactMap { problem in
      guard !units.contains(where: { Self.problem(problem, concerns: $0) }),
        seen.insert(problem.path + "\u{0}" + (problem.member ?? "")).inserted
      else { return nil }
      return (problem.path, problem.member)
    }
  }

  private static func problem(_ problem: InputFault, concerns unit: DatUnit) -> Bool {
    guard problem.path == unit.path else { return false }
    guard let damaged = problem.member, let member = unit.member else { return true }
    return damaged == member || damaged.hasPrefix(member + "!")
  }
}

/// Runs the checks.
public struct Preflight {
  public var configuration: ImportConfiguration
  /// The VictoriaMetrics named by --query-url or $ARRAYTOOL_VM_URL; the command has refused it
  /// already when it is a vmagent (`ImportCommand.refuseVmagent`).
  public var query: ProbeEndpoint?
  /// Every VictoriaMetrics samples may land in or be counted in: `query` and the targets and
  /// fallbacks that are one.
  public var stores: [ProbeEndpoint]
  public var skipCorrupt: Bool
  /// Seconds each probe phase may take: `--timeout`, at most 5.
  public var timeout: Double
  public var now: Double = Date().timeIntervalSince1970
  /// Told how far the check of the inputs has read, as `verify` tells its progress line.
  public var progress: (@Sendable (ReadProgress) -> Void)?
  /// Told what the preflight waits for, when it waits (a vmagent's queue draining).
  public var note: (@Sendable (String) -> Void)?
  /// How long a vmagent's queue may take to drain below the backlog limit, as long as it keeps
  /// shrinking, and how long it may stay as large before the wait ends.
  public var backlogWait = (most: 120.0, stalled: 5.0)
  var resolver: any HostResolver = SystemResolver()

  public init(
    configuration: ImportConfiguration, query: ProbeEndpoint?, stores: [ProbeEndpoint],
    skipCorrupt: Bool
  ) {
    self.configuration = configuration
    self.query = query
    self.stores = stores
    self.skipCorrupt = skipCorrupt
    timeout = configuration.checkTimeout
  }

  public func run(paths: [String], units: [DatUnit], catalog: SeriesCatalog) throws -> PreflightResult {
    var result = PreflightResult()
    try checkInputs(paths, into: &result)
    checkTargets(into: &result)
    if query != nil || !stores.isEmpty {
      checkServers(units: units, catalog: catalog, into: &result)
    } else {
      result.checks.append(PreflightCheck(
        name: "server flags", status: .warning,
        message: "no VictoriaMetrics to read flags from (give --query-url when importing "
          + "through vmagent): retention and deduplication were not checked, nor whether the "
          + "samples were stored already through another URL"))
    }
    return result
  }

  private func checkInputs(_ paths: [String], into result: inout PreflightResult) throws {
    var options = VerifyOptions()
    options.progress = progress
    let verified = try Verifier.verify(paths: paths, options: options)
    if let error = verified.errors.first { throw error }
    result.problems = verified.problems
    let checked = "\(VerifyReport.counted(verified.filesChecked, "file")), "
      + "\(InspectReport.grouped(Int(verified.bytesRead))) bytes, "
      + "\(VerifyReport.counted(verified.checksumsMatched, "checksum")) matched"
    guard !verified.problems.isEmpty else {
      result.checks.append(PreflightCheck(name: "inputs", status: .ok, message: "intact: \(checked)"))
      return
    }
    for problem in verified.problems {
      result.corrupt.insert(problem.location)
    }
    let count = verified.problems.count
    let what = "\(count) problem\(count == 1 ? "" : "s") in \(checked)"
    if skipCorrupt {
      result.checks.append(PreflightCheck(
        name: "inputs", status: .warning,
        message: "\(what); the damaged files are left out (--skip-corrupt)"))
    } else {
      result.checks.append(PreflightCheck(
        name: "inputs", status: .failed,
        message: "\(what). Nothing was sent. Run 'arraytool verify' on the inputs for details, "
          + "replace the damaged files, or import the rest with --skip-corrupt"))
    }
  }

  func checkTargets(into result: inout PreflightResult) {
    let prober = Prober(timeout: timeout, resolver: resolver, storage: query)
    var primaryHealthy = false
    for target in configuration.targets + configuration.fallbackTargets {
      let isFallback = !configuration.targets.contains(target)
      guard let endpoint = try? ProbeEndpoint(parsing: target.base.absoluteString) else { continue }
      // Most imports go through vmagent; a server whose /metrics holds no vmagent series is
      // probed again as the VictoriaMetrics it then is.
      var probeTarget = ProbeTarget.vmagent
      var probe = prober.probe(.vmagent, at: endpoint, guessed: true)
      if !probe.healthy, probe.firstErrorKind == .badResponse {
        probeTarget = .victoriametrics
        probe = prober.probe(.victoriametrics, at: endpoint)
      }
      var drained = ""
      var waitedInVain = ""
      if !probe.healthy, probe.diagnosis.map(\.kind) == [.queueBacklog] {
        switch waitForBacklog(at: endpoint) {
        case .drained(let seconds):
          // What an import just interrupted sent is still on its way: it drains in seconds.
          drained = "; its queue drained in \(formatSeconds(seconds))"
          probe = prober.probe(.vmagent, at: endpoint)
        case .stalled(let seconds, let pending):
          waitedInVain = "; waited \(formatSeconds(seconds)): \(ByteCount.format(pending)) still "
            + "wait, no fewer for \(formatSeconds(backlogWait.stalled))"
        case .tooSlow(let seconds, let pending):
          waitedInVain = "; waited \(formatSeconds(seconds)): the queue still shrinks, but "
            + "\(ByteCount.format(pending)) still wait"
        case .unreadable(let seconds):
          waitedInVain = "; vmagent stopped answering after \(formatSeconds(seconds)) of waiting "
            + "for its queue"
        }
      }
      let name = "\(isFallback ? "fallback" : "target") \(target.base.absoluteString)"
      if probe.healthy {
        if !isFallback { primaryHealthy = true }
        let timings = probe.phases.map { "\($0.name) \(formatSeconds($0.seconds))" }
        result.checks.append(PreflightCheck(
          name: name, status: .ok,
          message: "\(probeTarget.displayName) healthy (\(timings.joined(separator: ", ")))"
            + drained))
      } else {
        let diagnosis = probe.diagnosis.first.map { "\($0.explanation) Next: \($0.nextStep)" }
          ?? (probe.phases.last { !$0.ok }?.message ?? "not healthy")
        let kindText = probe.firstErrorKind?.rawValue ?? "unhealthy"
        let fallbackHelps = !isFallback && !configuration.fallbackTargets.isEmpty
        result.checks.append(PreflightCheck(
          name: name, status: isFallback || fallbackHelps ? .warning : .failed,
          message: "\(kindText): \(diagnosis)" + waitedInVain
            + (fallbackHelps ? "; the fallback takes its batches" : "")))
      }
    }
    if !primaryHealthy && !configuration.fallbackTargets.isEmpty,
      !result.checks.contains(where: { $0.name.hasPrefix("fallback") && $0.status == .ok })
    {
      result.checks.append(PreflightCheck(
        name: "targets", status: .failed,
        message: "neither the targets nor the fallback answer; nothing was sent"))
    }
  }

  /// How a wait for a vmagent's queue ended, after how many seconds.
  enum BacklogWait: Equatable {
    case drained(Double)
    /// No smaller for `backlogWait.stalled` s, with this many bytes waiting.
    case stalled(Double, pending: Double)
    /// Still shrinking after `backlogWait.most` s.
    case tooSlow(Double, pending: Double)
    /// Its queue could not be read any more.
    case unreadable(Double)
  }

  /// Waits while the queue of the vmagent at `endpoint` shrinks towards the backlog limit.
  func waitForBacklog(at endpoint: ProbeEndpoint) -> BacklogWait {
    let started = Deadline.now()
    let limit = Double(VmagentQueueFacts.backlogThresholdBytes)
    var smallest = Double.infinity
    var shrunk = started
    var told = false
    while true {
      let client = HTTPClient(endpoint: endpoint, resolver: resolver)
      guard case .vmagent(let facts)? = try? ServerFacts.read(
        .vmagent, client: client, deadline: Deadline(seconds: timeout))
      else { return .unreadable(Deadline.now() - started) }
      let pending = facts.pendingBytes
      let now = Deadline.now()
      if pending <= limit { return .drained(now - started) }
      if pending < smallest {
        smallest = pending
        shrunk = now
      }
      if now - shrunk > backlogWait.stalled { return .stalled(now - started, pending: pending) }
      if now - started > backlogWait.most { return .tooSlow(now - started, pending: pending) }
      if !told {
        told = true
        note?("preflight: \(ByteCount.format(pending)) wait in the queue of vmagent at "
          + "\(endpoint.display); waiting while it drains (at most "
          + "\(formatSeconds(backlogWait.most)), or until it stops shrinking for "
          + "\(formatSeconds(backlogWait.stalled)))")
      }
      usleep(250_000)
    }
  }

  /// Reads the flags of every store and judges the export by the strictest: a sample may land
  /// in any of them (a batch goes to whichever target takes it), so the shortest retention, the
  /// shortest line limit and any store without deduplication are what count.
  private func checkServers(
    units: [DatUnit], catalog: SeriesCatalog, into result: inout PreflightResult
  ) {
    var read: [(store: ProbeEndpoint, flags: VictoriaMetricsFlags)] = []
    for store in stores {
      let client = HTTPClient(endpoint: store, resolver: resolver)
      guard case .victoriaMetrics(let flags)? = try? ServerFacts.read(
        .victoriametrics, client: client, deadline: Deadline(seconds: timeout))
      else {
        result.checks.append(PreflightCheck(
          name: "server flags", status: .warning,
          message: "cannot read \(store.url("/flags")): retention and deduplication were not "
            + "checked there"))
        continue
      }
      read.append((store, flags))
    }
    // With one store its name is plain from the target; with several, each line names its own.
    let several = read.count > 1
    func at(_ store: ProbeEndpoint) -> String { several ? " at \(store.url(""))" : "" }

    let retained = read.filter { $0.flags.retentionSeconds != nil }
    if let strictest = retained.min(by: { $0.flags.retentionSeconds! < $1.flags.retentionSeconds! }) {
      let retention = strictest.flags.retentionSeconds!
      // A retention longer than the epoch is older than any sample: clamp before converting.
      let cutoff = Int64(max(now - retention, -1e12) * 1000)
      let old = Self.samplesBefore(
        cutoff, units: units.filter { !result.isCorrupt($0) }, catalog: catalog)
      let date = InspectReport.utc(cutoff)
      let period = strictest.flags.shown("retentionPeriod") + at(strictest.store)
      let strictestOf = retained.count > 1 ? " (the shortest of \(retained.count))" : ""
      if old.samples > 0 {
        result.checks.append(PreflightCheck(
          name: "retention", status: .failed,
          message: "\(InspectReport.grouped(old.samples)) samples in \(old.files) files are older "
            + "than \(date) UTC, the cut-off of -\(period)\(strictestOf): "
            + "VictoriaMetrics would drop them without an error. Raise -retentionPeriod on the "
            + "server, or import a folder of only the files newer than that"))
      } else {
        result.checks.append(PreflightCheck(
          name: "retention", status: .ok,
          message: "-\(period)\(strictestOf): every sample is newer than \(date) UTC"))
      }
    }
    let undeduplicated = read.filter { ($0.flags.dedupIntervalSeconds ?? 0) <= 0 }
    if !undeduplicated.isEmpty {
      let which = several ? " at " + undeduplicated.map { $0.store.url("") }.joined(separator: ", ")
        : ""
      result.checks.append(PreflightCheck(
        name: "deduplication", status: .warning,
        message: "off (-dedup.minScrapeInterval is not set\(which)): importing the same samples "
          + "twice stores them twice; the journal prevents that for imports to the same URL with "
          + "the same state folder, not for another URL that stores here (a vmagent in front), "
          + "nor with --force"))
    } else if !read.isEmpty {
      result.storesDeduplicate = true
      let intervals = read.map {
        "-dedup.minScrapeInterval=\($0.flags.value("dedup.minScrapeInterval") ?? "?")\(at($0.store))"
      }
      result.checks.append(PreflightCheck(
        name: "deduplication", status: .ok, message: intervals.joined(separator: ", ")))
    }
    let limited = read.filter { $0.flags.importMaxLineBytes != nil }
    if let shortest = limited.min(by: { $0.flags.importMaxLineBytes! < $1.flags.importMaxLineBytes! }) {
      let limit = shortest.flags.importMaxLineBytes!
      // A line holds a label set of a few hundred bytes and at most 26 bytes per sample.
      let fitting = max(1, (limit - 4096) / 32)
      let name = "-import.maxLineLen=\(limit)\(at(shortest.store))"
      if fitting < configuration.lineSamples {
        result.lineSamples = fitting
        result.checks.append(PreflightCheck(
          name: "line length", status: .ok,
          message: "\(name) bytes: lines carry at most \(fitting) samples"))
      } else {
        result.checks.append(PreflightCheck(
          name: "line length", status: .ok,
          message: "\(name) bytes fits arraytool's longest lines "
            + "(\(configuration.lineSamples) samples)"))
      }
    }
  }

  /// Samples older than `cutoff` (Unix ms), and in how many files. File names give each file's
  /// start, so only files that may reach back past the cut-off are decoded.
  static func samplesBefore(
    _ cutoff: Int64, units: [DatUnit], catalog: SeriesCatalog
  ) -> (samples: Int, files: Int) {
    var samples = 0
    var files = 0
    let reader = PerfUnitReader(catalog: catalog)
    for unit in units {
      if let named = PerfFileName(unit.name), named.timestamp * 1000 > cutoff + 86_400_000 {
        continue
      }
      var old = 0
      _ = try? reader.read(unit) { chunk, layout in
        for row in 0..<chunk.rowCount where SampleRenderer.timestamp(chunk, row: row) < cutoff {
          old += layout.count
        }
      }
      if old > 0 {
        samples += old
        files += 1
      }
    }
    return (samples, files)
  }
}
