// `arraytool import`: streams every sample of an export into VictoriaMetrics, usually through
// vmagent, and ends with a report of what was delivered and what was not.

import Foundation

/// Imports exports into VictoriaMetrics.
public enum ImportCommand: Command {
  public static let defaultURL = "http://127.0.0.1:8429"

  public static let spec = CommandSpec(
    name: "import",
    summary: "Stream the samples of an export into VictoriaMetrics (through vmagent).",
    discussion: """
      Decodes every .dat file of the inputs and posts the samples as JSON lines to
      URL/api/v1/import, in batches bounded by samples and bytes, several at a time. URL is a
      base: vmagent (default \(defaultURL), or $ARRAYTOOL_URL), a single VictoriaMetrics
      (http://host:8428) or a cluster vminsert prefix (http://host:8480/insert/0/prometheus).
      Give --url several times to spread batches over several nodes.

      Nothing is lost: a batch that still fails after its retries goes to --fallback-url
      when given, else to the spool (gzip JSON lines, written durably) for 'arraytool import
      --replay DIR', which delivers the same way and leaves out what a target it sends to
      has on record as accepted meanwhile (removing such a batch from the spool unsent). A
      batch whose record or data file is damaged, or a data file without its record, is
      named with what is wrong and left in the spool, and the other batches are still sent
      (status 1). A journal per target (STATE/journal/HOST_PORT/), keyed by each archive's
      SHA-256, member and block, records what that target accepted; what any --url or
      --fallback-url of a run has on record is not sent again (--force sends it all). An
      input with the same SHA-256 as an earlier one of the run is sent once and named, and
      so is a performance file of an earlier file's name and bytes; two files of one name
      with other bytes are refused (status 1). Ctrl-C stops at the next block, finishes the
      batches in flight and flushes the journal; a second Ctrl-C cancels the requests in
      flight and spools their batches and those not sent yet, without waiting on the server
      (send them with --replay). A replay stops before its next batch the same way (a second
      Ctrl-C cancels the one in flight; it stays in the spool). A batch whose request was cut
      off after its body went out (a timeout, a reset, a proxy's 502 or 504) may be stored
      already: before it is sent again, its samples are counted where they would be stored
      (--query-url, or the targets that are a VictoriaMetrics). All there, and it is done;
      some, and only the rest is sent; none, and it is sent; nothing can be counted, and it
      is kept in the spool. --force sends without asking. A spool or journal folder that is
      a file or cannot be written is refused before anything is sent (status 2). One import
      or replay at a time holds STATE/lock; another run on the same STATE ends at once with
      status 2. STATE is $ARRAYTOOL_STATE_DIR, else $XDG_STATE_HOME/arraytool, else
      ~/.local/state/arraytool.

      Failed requests are retried with exponential backoff and jitter on DNS failures, refused or
      reset connections, timeouts, 429 and 5xx; another 4xx stops that batch and the server's
      answer is shown. A damaged file does not stop the run: the other files are imported and
      the report names it. Credentials come from $ARRAYTOOL_BEARER_TOKEN(_FILE),
      $ARRAYTOOL_BASIC_AUTH(_FILE) (user:password) or the *-file options, never from the command
      line.

      Before sending, a preflight verifies every input, probes the targets and reads the flags of
      every VictoriaMetrics samples may be stored in (--query-url, and each --url or
      --fallback-url that is a VictoriaMetrics, not a vmagent): samples older than the shortest
      retention, which it would drop silently, stop the import, as does any damaged input unless
      --skip-corrupt is given; each of its requests waits --timeout, 5 s at most, and a signal
      before sending ends the run at once (status 130, nothing sent). A --query-url that is a
      vmagent is refused (status 2) before the inputs are read, by an import and a replay
      alike. After sending, the landed check reads every series back (how many samples, at which
      timestamps) from --query-url ($ARRAYTOOL_VM_URL), else from the targets and fallbacks
      that are a VictoriaMetrics, added up: a VictoriaMetrics --fallback-url serves as the
      query URL. Through vmagent with no VictoriaMetrics known, neither retention nor landing
      is checked, and the report says only that vmagent accepted the samples (status 0 all
      the same): give --query-url to check them where they are stored.

      Exit status: 0 all delivered (and landed, when checked), 1 some files or batches not
      delivered or the landed check failed, 2 usage (a --query-url that is a vmagent among
      them), unreadable input, a folder without export files or STATE in use by another run,
      130 interrupted.
      """,
    positionals: [
      PositionalSpec(
        "INPUT", help: "Export .zip, .tgz, .tar, .dat or folder.", variadic: true, required: false)
    ],
    options: [
      OptionSpec("url", .repeated(placeholder: "URL"), help: "Target base URL; repeat to spread batches."),
      OptionSpec("fallback-url", .repeated(placeholder: "URL"),
                 help: "Take over when the targets stay unreachable (VictoriaMetrics, 8428)."),
      OptionSpec("spool", .value(placeholder: "DIR"),
                 help: "Keep undeliverable batches here (default: STATE/spool)."),
      OptionSpec("journal", .value(placeholder: "DIR"),
                 help: "Record accepted batches here (default: STATE/journal)."),
      OptionSpec(
        "force",
        help: "Send again what the journal says was accepted; with --replay, what may be stored."),
      OptionSpec("replay", .value(placeholder: "DIR"), help: "Send the batches spooled in DIR, then remove them."),
      OptionSpec("query-url", .value(placeholder: "URL"),
                 help: "VictoriaMetrics to read flags and counts from ($ARRAYTOOL_VM_URL)."),
      OptionSpec("no-verify-landed", help: "Do not count the samples in VictoriaMetrics afterwards."),
      OptionSpec("no-preflight", help: "Skip the checks before sending (inputs, targets, server flags)."),
      OptionSpec("skip-corrupt", help: "Import the intact files of a partly damaged export; report the rest."),
      OptionSpec("landed-timeout", .value(placeholder: "SECONDS"),
                 help: "How long the landed check waits for queues and counts (default 120)."),
      OptionSpec("concurrency", short: "c", .value(placeholder: "N"), help: "Requests in flight (default: cores)."),
      OptionSpec("jobs", short: "j", .value(placeholder: "N"), help: "Files decoded at once (default: cores)."),
      OptionSpec("batch-samples", .value(placeholder: "N"), help: "Most samples per request (default 200000)."),
      OptionSpec("batch-bytes", .value(placeholder: "BYTES"), help: "Most body bytes per request (default 2M; 1K to 256M)."),
      OptionSpec("compress", .value(placeholder: "WHEN"), help: "gzip bodies: auto (not on loopback), on, off.",
                 choices: CompressionChoice.allCases.map(\.rawValue)),
      OptionSpec("retries", .value(placeholder: "N"), help: "Attempts per batch, the first included (default 6)."),
      OptionSpec("retry-delay", .value(placeholder: "SECONDS"), help: "First retry delay, doubling (default 0.5)."),
      OptionSpec("retry-max-delay", .value(placeholder: "SECONDS"), help: "Longest retry delay (default 8)."),
      OptionSpec("timeout", .value(placeholder: "SECONDS"), help: "Time one request may take (default 30)."),
      OptionSpec("bearer-token-file", .value(placeholder: "FILE"), help: "Read a bearer token from FILE."),
      OptionSpec("basic-auth-file", .value(placeholder: "FILE"), help: "Read user:password from FILE."),
      OptionSpec("json", help: "Print the report as one JSON object."),
    ],
    examples: [
      "arraytool import Storage_History_Performance_Files.zip",
      "arraytool import --url http://vmagent:8429 --fallback-url http://victoria:8428 /exports/2025-09/",
      "arraytool import --replay ~/.local/state/arraytool/spool --url http://vmagent:8429",
      "arraytool import --url http://vminsert:8480/insert/0/prometheus export.zip",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    var configuration = try configure(arguments, environment: context.environment)
    let console = context.console
    let events = ConsoleImportEvents(console: console)
    let replaying = arguments.string("replay") != nil
    try checkFolders(configuration, arguments: arguments, spool: !replaying)
    if let folder = arguments.string("replay") {
      guard arguments.positionals.isEmpty else {
        throw UsageError("--replay takes no INPUT: it sends what is in the spool", command: "import")
      }
      let lock = try lockState(context.environment)
      defer { lock?.release() }
      return try replay(folder, arguments: arguments, configuration: configuration, context: context)
    }
    guard !arguments.positionals.isEmpty else {
      throw UsageError("missing argument INPUT", command: "import")
    }
    let lock = try lockState(context.environment)
    defer { lock?.release() }
    // Until the pipeline starts nothing is sent and nothing needs finishing, while reading the
    // inputs and waiting on servers may take a while: a signal ends the run at once. The same
    // handler then stops the pipeline.
    let interrupts = InterruptHandler {
      events.say("interrupted before sending: nothing was sent")
      // Nothing is buffered yet (stdout is written only at the end), and exit(3) would run
      // the atexit handlers under the threads still working.
      _exit(ExitStatus.interrupted.rawValue)
    } again: {}
    let catalog = try SeriesCatalog.bundled()
    let listing = try PerfInput.units(for: arguments.positionals)
    // Read once here, the digests also key the journal.
    let digests = ArchiveDigests()
    let (unique, found, conflicts) = DuplicateInputs.split(listing.units, digests: digests)
    var duplicates = found
    var units = unique
    // Asking the target what it is costs requests: only when a check needs the answer.
    let explicitQuery = try explicitQueryEndpoint(arguments, environment: context.environment)
    var detectedKinds: [(endpoint: ProbeEndpoint, kind: VictoriaMetricsKind)]?
    func kinds() -> [(endpoint: ProbeEndpoint, kind: VictoriaMetricsKind)] {
      if detectedKinds == nil { detectedKinds = detectKinds(configuration) }
      return detectedKinds!
    }
    func stores() -> [ProbeEndpoint] {
      kinds().filter { $0.kind == .victoriaMetrics }.map(\.endpoint)
    }
    // Flags are read from every store a sample may land in; counts are read from --query-url
    // when given (the user named where the data ends up), else from those stores together.
    func queries() -> [ProbeEndpoint] { explicitQuery.map { [$0] } ?? stores() }
    var preflight: PreflightResult?
    if !arguments.flag("no-preflight") {
      var servers: [String] = []
      for server in (configuration.targets + configuration.fallbackTargets).map(\.base.absoluteString)
        + (explicitQuery.map { [$0.url("")] } ?? []) where !servers.contains(server)
      {
        servers.append(server)
      }
      events.say("preflight: checking the inputs and \(servers.joined(separator: ", ")) (at most "
        + "\(formatSeconds(configuration.checkTimeout)) a request)")
      try refuseVmagent(explicitQuery, timeout: configuration.checkTimeout, arguments: arguments)
      var checked = stores()
      if let explicitQuery, !checked.contains(where: { $0.url("") == explicitQuery.url("") }) {
        checked.insert(explicitQuery, at: 0)
      }
      var checks = Preflight(configuration: configuration, query: explicitQuery, stores: checked,
                             skipCorrupt: arguments.flag("skip-corrupt"))
      if console.stderrIsTerminal {
        checks.progress = { events.progress(VerifyReport.progressLine($0, label: "preflight")) }
      }
      checks.note = { events.say($0) }
      let found = try checks.run(paths: arguments.positionals, units: units, catalog: catalog)
      events.clearProgress()
      console.writeError(ImportReport.checklist(found, symbols: console.stderrIsTerminal))
      guard found.passed else {
        if arguments.flag("json") { try console.print(try ImportReport.json(preflight: found)) }
        console.error("preflight failed: nothing was sent")
        return .problems
      }
      if let lineSamples = found.lineSamples { configuration.lineSamples = lineSamples }
      // A file left out for its name's sake is sent after all when the one kept in its place is
      // left out as damaged: a zip entry's directory CRC says what its bytes should be, not
      // what they are.
      var sentInstead: Set<String> = []
      for duplicate in duplicates where duplicate.byName && !sentInstead.contains(duplicate.sameAs) {
        guard let kept = units.first(where: { $0.location == duplicate.sameAs }),
          found.isCorrupt(kept),
          let copy = listing.units.first(where: { $0.location == duplicate.path }),
          !found.isCorrupt(copy)
        else { continue }
        units.append(copy)
        sentInstead.insert(duplicate.sameAs)
        sentInstead.insert(duplicate.path)
      }
      duplicates.removeAll { $0.byName && sentInstead.contains($0.path) }
      units = units.filter { !found.isCorrupt($0) }
      configuration.inputsVerified = true
      preflight = found
    } else {
      // Skipping the checks does not make a vmagent a place to count samples in.
      try refuseVmagent(explicitQuery, timeout: configuration.checkTimeout, arguments: arguments)
      for fault in listing.faults { console.diagnostic(fault.line) }
    }
    // Sending both files of a conflict would store what they share twice, sending either would
    // lose what only the other holds; one left out as damaged settles it.
    let remaining = Set(units.map(\.location))
    let standing = conflicts.filter { remaining.contains($0.location) && remaining.contains($0.other) }
    if !standing.isEmpty {
      for conflict in standing { console.error(conflict.message()) }
      return .problems
    }
    // --force sends what is in the spool as well: a later replay must know, or it duplicates it.
    var forceWarning: String?
    if configuration.force, let folder = configuration.spoolDirectory {
      let archives = Set(units.compactMap { try? digests.sha256(of: $0.path) })
      let waiting = ImportSpool(directory: folder).waiting(archives: archives)
      if waiting.samples > 0 {
        forceWarning = "--force: \(InspectReport.grouped(waiting.samples)) samples of these inputs "
          + "(\(waiting.batches) batches) are still in the spool \(folder); this run sends them "
          + "again, and 'arraytool import --replay \(folder)' to a target that has them on record "
          + "then removes them from the spool without sending them"
        events.say(forceWarning!)
      }
    }
    let pipeline = try ImportPipeline(
      configuration: configuration, catalog: catalog, events: events, digests: digests)
    // A batch whose request was cut off after its body went out is looked for where it would be
    // stored before it is sent again (--force sends it unasked). What the targets are is asked
    // once, when that first happens, by whichever sender gets there first.
    // Any target may be a vmagent whose queue must drain before a count.
    let agents = (configuration.targets + configuration.fallbackTargets).compactMap {
      try? ProbeEndpoint(parsing: $0.base.absoluteString)
    }
    if !configuration.force {
      let lock = NSLock()
      var check: BatchStoredCheck?
      let settings = configuration
      pipeline.storedCheck = { body in
        lock.lock()
        if check == nil {
          var made = BatchStoredCheck(queries: queries(), agents: agents, timeout: settings.timeout)
          made.shouldStop = { interrupts.count > 1 }
          check = made
        }
        let asked = check!
        lock.unlock()
        // The request was not answered within --timeout: the server may be slow enough to be
        // storing it still, so a count is taken once the next one agrees.
        let pause = BatchStoredCheck.pause(timeout: settings.timeout)
        return asked.settledReading(of: body, pause: pause)
      }
    }
    interrupts.handle(
      stopping: pipeline, say: events.say,
      message: "interrupted: finishing the batches in flight; press Ctrl-C again to spool them now")
    let tick: ((ImportProgress) -> Void)? =
      console.stderrIsTerminal ? { events.progress(ImportReport.progressLine($0)) } : nil
    var result = try pipeline.run(units: units, tick: tick)
    events.clearProgress()
    result.duplicates = duplicates
    if let forceWarning { result.warnings.append(forceWarning) }
    result.filesDuplicate = duplicates.reduce(0) { $0 + $1.files }
    result.filesTotal += result.filesDuplicate

    // Damage found before sending: by the listing (an entry that is no unit) or by the preflight.
    var leftOut = listing.faults
    if let preflight {
      leftOut = preflight.problems
      let skipped = unique.filter { preflight.isCorrupt($0) }
      // Damage that no file of the listing stands for (a zip cut before its central directory)
      // leaves out an input all the same: its samples were not delivered.
      let unlisted = preflight.damagedWithoutUnits(listing.units).count
      result.filesTotal += skipped.count + unlisted
      result.filesFailed += skipped.count + unlisted
    }
    for fault in leftOut {
      if preflight == nil { result.filesTotal += 1; result.filesFailed += 1 }
      result.failures.append(
        ImportFailure(
          file: fault.path, member: fault.member,
          reason: "\(fault.kind.rawValue) at offset \(fault.offset): \(fault.message)"
            + (preflight == nil ? "" : " (left out by the preflight)"), samples: 0))
    }
    // Where the warning about batches sent again stands, to say later whether the check recounts.
    var resentWarning: Int?
    if result.batchesResentUnfound > 0 {
      let batches = result.batchesResentUnfound
      resentWarning = result.warnings.count
      result.warnings.append(
        "\(batches) batch\(batches == 1 ? " was" : "es were") sent again after a request was "
          + "cut off after its body went out and nothing of \(batches == 1 ? "it" : "them") was "
          + "found stored: a server that stored that request later holds "
          + "\(batches == 1 ? "it" : "them") twice")
    }
    var landed: LandedResult?
    if !result.interrupted, !result.samplesBySeries.isEmpty, !arguments.flag("no-verify-landed") {
      // Files left out as damaged do not matter here; batches that did not arrive do.
      if result.batchesFailed > 0 || result.batchesSpooled > 0 || result.samplesWaiting > 0 {
        events.say("landed check skipped: not every batch was delivered")
      } else if case let queries = queries(), !queries.isEmpty {
        let names = queries.map { $0.url("") }.joined(separator: " and ")
        events.say("checking that the samples landed in \(names)")
        interrupts.handle {
          events.say("interrupted: the landed check stops without comparing the counts")
        } again: {}
        var check = LandedCheck(queries: queries, agents: agents,
                                timeout: configuration.landedTimeout)
        check.shouldStop = { interrupts.count > 0 }
        if let resentWarning {
          check.confirmAfter = 3
          result.warnings[resentWarning] += "; the landed check counted once more 3 s after the "
            + "counts matched"
        }
        // Without a preflight the flags are read here, and only when a series needs them.
        let deduplicated =
          preflight?.storesDeduplicate
          ?? (!result.collidingExcess.isEmpty
            && Self.deduplicate(queries, timeout: configuration.checkTimeout))
        landed = check.run(
          expected: result.expectedBySeries(deduplicated: deduplicated),
          first: result.firstTimestamp ?? 0, last: result.lastTimestamp ?? 0)
      } else if result.samplesSent > 0 {
        events.say("landed check skipped: no VictoriaMetrics to count in (give --query-url when "
          + "importing through vmagent)")
      }
    }
    // Delivered to a vmagent is not stored: without a VictoriaMetrics to check in, the report
    // says only what is known.
    if result.allDelivered, !result.interrupted, queries().isEmpty {
      let agents = kinds().allSatisfy { $0.kind == .vmagent }
      let takers = result.batchesByTarget.isEmpty
        ? configuration.targets.map(\.base.absoluteString) : result.batchesByTarget.keys.sorted()
      result.acceptedOnlyBy = agents ? "vmagent" : takers.joined(separator: ", ")
    }
    if arguments.flag("json") {
      try console.print(try ImportReport.json(result, landed: landed, preflight: preflight))
    } else {
      try console.out.write(ImportReport.text(result, landed: landed))
    }
    interrupts.cancel()
    if result.interrupted || landed?.error == LandedCheck.interruptedMessage { return .interrupted }
    return result.allDelivered && (landed?.passed ?? true) ? .success : .problems
  }

  /// Takes the lock of the state folder for the run (see StateLock); none without a state folder.
  static func lockState(_ environment: [String: String]) throws -> StateLock? {
    try stateDirectory(environment).map { try StateLock.acquire(folder: $0) }
  }

  /// Refuses a spool (when `spool`) or journal folder that cannot be written, before anything is
  /// sent: otherwise a spool in the way is found only when every batch that needs it fails.
  static func checkFolders(
    _ configuration: ImportConfiguration, arguments: ParsedArguments, spool: Bool
  ) throws {
    let folders = [
      ("spool", spool ? configuration.spoolDirectory : nil),
      ("journal", configuration.journalDirectory),
    ]
    for case let (option, folder?) in folders {
      guard let problem = WritableFolder.problem(folder) else { continue }
      let name = arguments.string(option) == nil ? "\(option) folder" : "--\(option)"
      throw UsageError("\(name) \(folder): \(problem)", command: "import")
    }
  }

  /// The VictoriaMetrics named to read from: --query-url or $ARRAYTOOL_VM_URL.
  static func explicitQueryEndpoint(
    _ arguments: ParsedArguments, environment: [String: String]
  ) throws -> ProbeEndpoint? {
    if let text = arguments.string("query-url") ?? environment["ARRAYTOOL_VM_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
      do {
        return try ProbeEndpoint(parsing: text)
      } catch {
        throw UsageError("invalid --query-url '\(text)'", command: "import")
      }
    }
    return nil
  }

  /// The options of this import that a replay of its spool must be given again: where to count
  /// what may be stored already, and the credentials. The targets are recorded in the spool.
  static func replayOptions(_ arguments: ParsedArguments) -> String {
    ["query-url", "bearer-token-file", "basic-auth-file"].compactMap { name in
      arguments.string(name).map { " --\(name) " + ReportFormat.shellWord($0) }
    }.joined()
  }

  /// Refuses a --query-url that is a vmagent as the wrong value it is (exit status 2), in an
  /// import before its inputs are verified and in a replay before anything is sent: no sample
  /// can be counted there and no retention read.
  static func refuseVmagent(
    _ query: ProbeEndpoint?, timeout: Double, arguments: ParsedArguments
  ) throws {
    guard let query, VictoriaMetricsKind.detect(query, timeout: timeout) == .vmagent else { return }
    // Named as the user gave it: the option, or the environment variable it came from.
    let given = arguments.string("query-url") != nil ? "--query-url" : "ARRAYTOOL_VM_URL"
    throw UsageError(
      "\(given) \(query.url("")) is a vmagent, not a VictoriaMetrics: samples cannot be "
        + "counted there; give the VictoriaMetrics vmagent writes to (usually port 8428)",
      command: "import")
  }

  /// Whether every one of `stores` deduplicates (-dedup.minScrapeInterval), as its /flags say;
  /// false when one cannot be read.
  static func deduplicate(_ stores: [ProbeEndpoint], timeout: Double) -> Bool {
    stores.allSatisfy { store in
      let client = HTTPClient(endpoint: store, resolver: SystemResolver())
      guard case .victoriaMetrics(let flags)? = try? ServerFacts.read(
        .victoriametrics, client: client, deadline: Deadline(seconds: timeout))
      else { return false }
      return (flags.dedupIntervalSeconds ?? 0) > 0
    }
  }

  /// The cut-off of the shortest -retentionPeriod among `stores`, as their /flags give it;
  /// `nil` when none of them can be read or sets one.
  static func strictestRetention(_ stores: [ProbeEndpoint], timeout: Double) -> RetentionCutoff? {
    var strictest: RetentionCutoff?
    let now = Date().timeIntervalSince1970
    for store in stores {
      let client = HTTPClient(endpoint: store, resolver: SystemResolver())
      guard case .victoriaMetrics(let flags)? = try? ServerFacts.read(
        .victoriametrics, client: client, deadline: Deadline(seconds: timeout)),
        let seconds = flags.retentionSeconds
      else { continue }
      // A retention longer than the epoch is older than any sample: clamp before converting.
      let cutoff = Int64(max(now - seconds, -1e12) * 1000)
      if strictest.map({ cutoff > $0.milliseconds }) ?? true {
        strictest = RetentionCutoff(
          milliseconds: cutoff, period: flags.shown("retentionPeriod"), store: store.url(""))
      }
    }
    return strictest
  }

  /// What each target and fallback is, each once: those that are a VictoriaMetrics rather than
  /// a vmagent are the servers samples may be stored in directly.
  static func detectKinds(_ configuration: ImportConfiguration)
    -> [(endpoint: ProbeEndpoint, kind: VictoriaMetricsKind)]
  {
    var seen: Set<String> = []
    var kinds: [(endpoint: ProbeEndpoint, kind: VictoriaMetricsKind)] = []
    for target in configuration.targets + configuration.fallbackTargets {
      guard seen.insert(target.base.absoluteString).inserted,
        let endpoint = try? ProbeEndpoint(parsing: target.base.absoluteString)
      else { continue }
      let kind = VictoriaMetricsKind.detect(endpoint, timeout: configuration.checkTimeout)
      kinds.append((endpoint, kind))
    }
    return kinds
  }

  private static func replay(
    _ folder: String, arguments: ParsedArguments, configuration: ImportConfiguration,
    context: CommandContext
  ) throws -> ExitStatus {
    let replay = ImportReplay(configuration: configuration, spool: ImportSpool(directory: folder))
    let console = context.console
    let interrupts = InterruptHandler(
      stopping: replay, say: { console.diagnostic($0) },
      message: "interrupted: finishing the batch in flight; press Ctrl-C again to cancel it "
        + "(it stays in the spool)")
    defer { interrupts.cancel() }
    // A batch that may be stored already is counted, before it is sent, in --query-url or
    // in the targets that are VictoriaMetrics themselves.
    let explicitQuery = try explicitQueryEndpoint(arguments, environment: context.environment)
    try refuseVmagent(explicitQuery, timeout: configuration.checkTimeout, arguments: arguments)
    var kinds: [String: VictoriaMetricsKind] = [:]
    func stores(_ targets: [ImportTarget]) -> [ProbeEndpoint] {
      if let explicitQuery { return [explicitQuery] }
      return targets.compactMap { target in
        let url = target.base.absoluteString
        guard let endpoint = try? ProbeEndpoint(parsing: url) else { return nil }
        let kind = kinds[url] ?? VictoriaMetricsKind.detect(endpoint, timeout: configuration.checkTimeout)
        kinds[url] = kind
        return kind == .victoriaMetrics ? endpoint : nil
      }
    }
    // As an import's preflight does, the strictest retention among the stores decides: the
    // server drops older samples without an error, and the journal would count them delivered.
    var cutoffs: [String: RetentionCutoff?] = [:]
    func retention(_ targets: [ImportTarget]) -> RetentionCutoff? {
      let known = stores(targets)
      let key = known.map { $0.url("") }.joined(separator: " ")
      if let cutoff = cutoffs[key] { return cutoff }
      let cutoff = strictestRetention(known, timeout: configuration.checkTimeout)
      cutoffs[key] = cutoff
      return cutoff
    }
    let result = try replay.run(
      useRecordedTarget: arguments.strings("url").isEmpty, force: arguments.flag("force"),
      stores: stores, retention: retention
    ) {
      console.diagnostic($0)
    }
    if arguments.flag("json") {
      try context.console.print(try ImportReport.json(result))
    } else {
      try context.console.out.write(ImportReport.text(result, folder: folder))
    }
    if result.interrupted { return .interrupted }
    return result.batchesLeft == 0 ? .success : .problems
  }

  /// Builds the configuration from flags and environment.
  static func configure(_ arguments: ParsedArguments, environment: [String: String]) throws
    -> ImportConfiguration
  {
    var urls = arguments.strings("url")
    // A URL from the environment is named as such when it is wrong: no --url was given.
    var flag = "--url"
    if urls.isEmpty {
      let fromEnvironment = environment["ARRAYTOOL_URL"].flatMap { $0.isEmpty ? nil : $0 }
      if fromEnvironment != nil { flag = "ARRAYTOOL_URL" }
      urls = [fromEnvironment ?? defaultURL]
    }
    var configuration = ImportConfiguration(
      targets: try urls.map { try ImportTarget(base: $0, flag: flag) })
    if let value = try arguments.integer("concurrency", in: 1...256) { configuration.concurrency = value }
    if let value = try arguments.integer("jobs", in: 1...256) { configuration.decoders = value }
    if let value = try arguments.integer("batch-samples", in: 1...10_000_000) {
      configuration.batchSamples = value
    }
    if let text = arguments.string("batch-bytes") {
      guard let bytes = parseBytes(text), (1024...(256 << 20)).contains(bytes) else {
        throw UsageError(
          "invalid --batch-bytes '\(text)': expected a size from 1K to 256M, such as 4M or 500000",
          command: "import")
      }
      configuration.batchBytes = bytes
    }
    if let choice = try arguments.choice("compress", among: CompressionChoice.allCases.map(\.rawValue)) {
      configuration.compress = CompressionChoice(rawValue: choice)!
    }
    if let value = try arguments.integer("retries", in: 1...100) { configuration.retry.attempts = value }
    if let value = try arguments.seconds("retry-delay") { configuration.retry.initialDelay = value }
    if let value = try arguments.seconds("retry-max-delay") { configuration.retry.maxDelay = value }
    if let value = try arguments.seconds("timeout") {
      guard value > 0 else {
        throw UsageError("invalid --timeout '0': it must be more than 0", command: "import")
      }
      configuration.timeout = value
    }
    // Read now, not when the landed check runs: a bad value is a usage error even in a run that
    // ends before the check.
    configuration.landedTimeout = try arguments.seconds("landed-timeout") ?? 120
    configuration.fallbackTargets = try arguments.strings("fallback-url").map {
      try ImportTarget(base: $0, flag: "--fallback-url")
    }
    let state = stateDirectory(environment)
    configuration.spoolDirectory = arguments.string("spool") ?? state.map { $0 + "/spool" }
    configuration.replayOptions = replayOptions(arguments)
    // What one server accepted says nothing about another: each target has its journal in a
    // folder of this root (see TargetJournals).
    configuration.journalDirectory = arguments.string("journal") ?? state.map { $0 + "/journal" }
    configuration.force = arguments.flag("force")
    configuration.credentials = try Credentials.load(
      bearerFile: arguments.string("bearer-token-file"),
      basicFile: arguments.string("basic-auth-file"), environment: environment)
    return configuration
  }

  /// Where the spool and the journal live by default.
  static func stateDirectory(_ environment: [String: String]) -> String? {
    if let folder = environment["ARRAYTOOL_STATE_DIR"], !folder.isEmpty { return folder }
    if let folder = environment["XDG_STATE_HOME"], !folder.isEmpty { return folder + "/arraytool" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/arraytool" }
    return nil
  }

  /// `4M`, `512K`, `1G` or a plain number of bytes.
  static func parseBytes(_ text: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    if let last = text.uppercased().last, let unit = units[last] {
      return Int(text.dropLast()).map { $0 * unit }
    }
    return Int(text)
  }
}
